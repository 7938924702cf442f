package dialog

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"
)

// State is where a conversation stands.
type State int

// States of a conversation.
const (
	Idle       State = iota // nothing pending
	Collecting              // asking for a missing parameter
	Confirming              // waiting for yes or no
	Executing               // a skill is running
)

var stateNames = [...]string{"idle", "collecting", "confirming", "executing"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// ParseState reads a state name.
func ParseState(name string) (State, error) {
	for i, n := range stateNames {
		if n == name {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown dialog state %q", name)
}

// Event moves a conversation between states.
type Event int

// Events of a conversation.
const (
	EvAsk     Event = iota // ask for a parameter: -> collecting
	EvPropose              // ask for a yes: -> confirming
	EvRun                  // start the skill: -> executing
	EvFinish               // the skill ended: executing -> idle
	EvDrop                 // cancelled, denied, expired or gave up: -> idle
)

var eventNames = [...]string{"ask", "propose", "run", "finish", "drop"}

func (e Event) String() string {
	if e >= 0 && int(e) < len(eventNames) {
		return eventNames[e]
	}
	return fmt.Sprintf("event(%d)", int(e))
}

// transitions is the conversation's state machine. Keep the strings behind
// the typed names above.
func transitions() fsm.Events {
	return fsm.Events{
		{Name: EvAsk.String(), Src: []string{Idle.String(), Collecting.String(), Confirming.String()}, Dst: Collecting.String()},
		{Name: EvPropose.String(), Src: []string{Idle.String(), Collecting.String(), Confirming.String()}, Dst: Confirming.String()},
		{Name: EvRun.String(), Src: []string{Idle.String(), Collecting.String(), Confirming.String()}, Dst: Executing.String()},
		{Name: EvFinish.String(), Src: []string{Executing.String()}, Dst: Idle.String()},
		{Name: EvDrop.String(), Src: []string{Collecting.String(), Confirming.String(), Executing.String()}, Dst: Idle.String()},
	}
}

// ErrTransition is a move the state machine does not allow: a bug.
var ErrTransition = errors.New("invalid dialog transition")

// transition applies ev to from. A fresh FSM per call: looplab/fsm is not
// safe to share between goroutines, and one costs a few microseconds.
func transition(from State, ev Event) (State, error) {
	if from < Idle || from > Executing {
		return from, fmt.Errorf("%w: unknown state %d", ErrTransition, int(from))
	}
	m := fsm.NewFSM(from.String(), transitions(), nil)
	err := m.Event(context.Background(), ev.String())
	var same fsm.NoTransitionError
	if err != nil && !errors.As(err, &same) {
		return from, fmt.Errorf("%w: %s from %s: %w", ErrTransition, ev, from, err)
	}
	return ParseState(m.Current())
}
