package nlu

// Special intents the pipeline itself produces.
const (
	// OutOfScope is the intent of a message the model does not understand
	// well enough, and the label of training examples that mean nothing to
	// the bot.
	OutOfScope = "out_of_scope"
)

// Result is what the pipeline understood of one message.
type Result struct {
	// Text is the message as received; Normalized is the form the model
	// reads (lower case, tidied spaces and quotes, typos corrected).
	Text       string
	Normalized string
	Tokens     []Token
	// Intent is the best intent, or OutOfScope when the model is not
	// confident enough; Confidence is its calibrated probability.
	Intent     string
	Confidence float64
	// Ambiguous is set when the two best intents are too close to choose;
	// Intent is then OutOfScope and Alternatives holds the candidates.
	Ambiguous bool
	// Alternatives ranks the model's intents, best first, whatever the
	// thresholds decided (at most five).
	Alternatives []Scored
	Entities     []Entity
	// Unfamiliar is set when no word of the message is one the model
	// learned from or knows from its lists, even after typo correction,
	// and it is no phrasing the model was taught: the intent is a guess
	// from spelling alone ("forever" is not "never"). Yes, no and cancel
	// should not be read into such a message.
	Unfamiliar bool
}

// Scored is an intent with its probability.
type Scored struct {
	Intent     string
	Confidence float64
}

// Token is one word or symbol with its rune span in Result.Text.
type Token struct {
	Text       string
	Start, End int // rune offsets, end exclusive
}

// Entity is a typed value found in the message.
type Entity struct {
	// Type is the entity type: a role learned from marked examples
	// (service, host, app, ...), a list from configuration (environment,
	// team, ...), or a typed kind (ip, url, duration, incident, ...).
	Type string
	// Text is the surface text; Value its normalised form (a synonym's
	// canonical value, a corrected near miss, an incident's number).
	Text  string
	Value string
	// Start and End are rune offsets in Result.Text, end exclusive.
	Start, End int
	// Source says which extractor found it: "model", "list", "typed".
	Source string
}

// First returns the first entity of any of the given types, in the order
// of types.
func (r *Result) First(types ...string) (Entity, bool) {
	for _, t := range types {
		for _, e := range r.Entities {
			if e.Type == t {
				return e, true
			}
		}
	}
	return Entity{}, false
}
