package llm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Proposal is a model's suggestion: never trusted, only validated. The
// engine treats it like a message it understood itself: it binds the
// parameters, asks for what is missing, checks roles and confirms.
type Proposal struct {
	// Skill is one of the offered skills.
	Skill string
	// Params are the values the model gave that passed their parameter's
	// type, in canonical form, and that the person actually said.
	Params map[string]string
	// Rejected names the parameters dropped, sorted: unknown, secret,
	// not a string, number or boolean, invalid for their type, or not
	// found in what the person said.
	Rejected []string
	// Answer is what the model said in words instead of calling a tool;
	// it is for logs and hints, never for actions.
	Answer string
}

// reply is what the model answered, as cached: the tool calls are
// validated again on every use, against the skills offered then.
type reply struct {
	content string
	calls   []toolCall
}

type toolCall struct {
	typ, name, args string
}

// Bounds on what is read from a reply.
const (
	maxArguments   = 16 << 10 // bytes of a tool call's JSON arguments
	maxAnswerRunes = 500
	maxParamName   = 64
)

// proposal validates a reply against the offer. Params holds only values
// that parsed and were grounded; a reply without exactly one call to an
// offered tool with a JSON object of arguments is ErrNoProposal.
func (o *offer) proposal(rep reply) (Proposal, error) {
	switch len(rep.calls) {
	case 0:
		answer := clip(strings.TrimSpace(oneLine(rep.content)), maxAnswerRunes)
		return Proposal{Answer: answer}, fmt.Errorf("%w: the model answered without a tool call", ErrNoProposal)
	case 1:
	default:
		return Proposal{}, fmt.Errorf("%w: the model made %d tool calls, not one", ErrNoProposal, len(rep.calls))
	}
	call := rep.calls[0]
	if call.typ != "" && call.typ != "function" {
		return Proposal{}, fmt.Errorf("%w: a tool call of type %q", ErrNoProposal, clip(call.typ, maxParamName))
	}
	s := o.byTool[call.name]
	if s == nil {
		return Proposal{}, fmt.Errorf("%w: the model called %q, which is not an offered skill", ErrNoProposal, clip(oneLine(call.name), maxParamName))
	}
	args, err := decodeArguments(call.args)
	if err != nil {
		return Proposal{}, fmt.Errorf("%w: arguments for %s: %w", ErrNoProposal, s.Name, err)
	}
	p := Proposal{Skill: s.Name, Params: map[string]string{}}
	ev := o.evidence()
	for _, a := range args {
		param := s.Param(a.name)
		if param == nil || param.Secret {
			p.Rejected = append(p.Rejected, clip(oneLine(a.name), maxParamName))
			continue
		}
		raw, ok := scalar(a.value)
		if !ok {
			p.Rejected = append(p.Rejected, a.name)
			continue
		}
		if a.value == nil {
			continue // null: the model left it out
		}
		v, err := param.Type.Parse(raw)
		if err != nil || !ev.supports(param, raw, v.String()) {
			p.Rejected = append(p.Rejected, a.name)
			continue
		}
		p.Params[a.name] = v.String()
	}
	slices.Sort(p.Rejected)
	return p, nil
}

type argument struct {
	name  string
	value any // string, json.Number, bool, nil, or something else to reject
}

// decodeArguments reads a tool call's arguments: one JSON object, without
// duplicate names or trailing data. Empty arguments are an empty object,
// as some local servers send for tools called without any.
func decodeArguments(s string) ([]argument, error) {
	if len(s) > maxArguments {
		return nil, fmt.Errorf("longer than %d bytes", maxArguments)
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var args []argument
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errors.New("malformed JSON")
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, fmt.Errorf("%q is given twice", clip(oneLine(name), maxParamName))
		}
		seen[name] = true
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, errors.New("malformed JSON")
		}
		args = append(args, argument{name: name, value: v})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errors.New("malformed JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return args, nil
}

// scalar turns a JSON string, number or boolean into the text a parameter
// type parses; a number in decimal notation ("3" for 3.0). Null is ok with
// empty text; arrays and objects are not ok.
func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return strconv.FormatInt(n, 10), true
		}
		if f, err := v.Float64(); err == nil && !math.IsInf(f, 0) {
			if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				return strconv.FormatInt(int64(f), 10), true
			}
			return strconv.FormatFloat(f, 'f', -1, 64), true
		}
		return "", false
	}
	return "", false
}
