package dialog

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// Key identifies one conversation: a person in a channel and thread.
type Key struct {
	User, Channel, Thread string
}

// String is the key's store form; its parts are escaped so no user, channel
// or thread name can collide with another's.
func (k Key) String() string {
	return url.QueryEscape(k.User) + "|" + url.QueryEscape(k.Channel) + "|" + url.QueryEscape(k.Thread)
}

// conversation is the stored record of one Key. It is kept small (a few
// hundred bytes): parameters are canonical text already validated.
type conversation struct {
	State   State             `json:"s"`
	Skill   string            `json:"k,omitempty"`
	Params  map[string]string `json:"p,omitempty"`
	Asking  string            `json:"a,omitempty"`
	Tries   int               `json:"t,omitempty"`
	Expires int64             `json:"e,omitempty"` // unix ms: confirmation or execution deadline
	Origin  string            `json:"o,omitempty"` // the request that started it, shortened
	By      string            `json:"u,omitempty"` // who started it
	// Suggest holds the skills offered after "Did you mean…?" for the
	// message in Origin, while the person may pick one (state idle).
	Suggest []string `json:"g,omitempty"`
	// Stage is "code" while a confirmed request waits for its one-time code.
	Stage string `json:"st,omitempty"`
	// Approval is the id another person quotes to approve the request
	// (the two-person rule).
	Approval string `json:"ap,omitempty"`
	// Assisted marks a request the language model understood.
	Assisted bool `json:"l,omitempty"`
	// Last is the last request run here, which "roll it back" or "check
	// it again" refer to.
	Last *lastRun `json:"r,omitempty"`
	// Queue holds the further values of parameter QueueOf named with this
	// request ("restart apache on web-1 and web-2"): each is proposed for
	// its own yes once this one is run or declined.
	Queue   []string `json:"q,omitempty"`
	QueueOf string   `json:"qp,omitempty"`
	// Then holds the further requests of the message that made this one
	// ("restart apache on web-1; deploy checkout to staging"), as typed:
	// each is taken once this one has run or been declined.
	Then []string `json:"n,omitempty"`
}

// lastRun is a request that ran: its skill, canonical parameters and when,
// and the requests run before it, newest first (at most keptRuns-1), whose
// values "it" may still name when the last one lacks them: after opening
// an incident and listing them, "ack it" is the incident just opened.
type lastRun struct {
	Skill   string            `json:"k"`
	Params  map[string]string `json:"p,omitempty"`
	At      int64             `json:"t"` // unix ms
	Earlier []lastRun         `json:"e,omitempty"`
}

// keptRuns is how many requests the memory holds, the last one included.
const keptRuns = 3

// recent returns the runs of the memory, the last one first, that ran
// within recallFor of now; nil for no memory.
func (l *lastRun) recent(now time.Time) []lastRun {
	if l == nil {
		return nil
	}
	var out []lastRun
	for _, r := range append([]lastRun{{Skill: l.Skill, Params: l.Params, At: l.At}}, l.Earlier...) {
		if now.Sub(time.UnixMilli(r.At)) > recallFor {
			break
		}
		out = append(out, r)
	}
	return out
}

func (c *conversation) expired(now time.Time) bool {
	return c.Expires != 0 && now.UnixMilli() > c.Expires
}

func encode(c conversation) ([]byte, error) {
	if c.State == Idle && len(c.Suggest) == 0 && c.Last == nil {
		return nil, nil
	}
	return json.Marshal(c)
}

func decode(data []byte) (conversation, error) {
	var c conversation
	if len(data) == 0 {
		return c, nil
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return conversation{}, fmt.Errorf("decode conversation: %w", err)
	}
	if c.State < Idle || c.State > Executing {
		return conversation{}, fmt.Errorf("decode conversation: unknown state %d", int(c.State))
	}
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	return c, nil
}
