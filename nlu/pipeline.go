package nlu

import (
	"context"
	"errors"
	"maps"
	"sync"
	"sync/atomic"
)

// Pipeline serves Parse from the current model and lets a retrained model
// be swapped in atomically: a message is always answered by one whole
// model, never a half-built one. It is safe for concurrent use.
type Pipeline struct {
	model atomic.Pointer[Model]
	swaps atomic.Int64
	// taught holds phrasings taught since the model in service was
	// trained, so they are understood at once; copy on write.
	mu     sync.Mutex
	taught atomic.Pointer[map[string]string]
}

// NewPipeline serves m.
func NewPipeline(m *Model) *Pipeline {
	p := &Pipeline{}
	p.model.Store(m)
	return p
}

// ErrNoModel is returned by Parse before any model is loaded.
var ErrNoModel = errors.New("nlu: no model loaded")

// Parse understands text with the current model.
func (p *Pipeline) Parse(ctx context.Context, text string) (Result, error) {
	m := p.model.Load()
	if m == nil {
		return Result{}, ErrNoModel
	}
	var taught map[string]string
	if t := p.taught.Load(); t != nil {
		taught = *t
	}
	return m.parse(ctx, text, taught)
}

// Teach makes an exact phrasing mean intent from now on, before any
// retraining; the next model swapped in that knows the phrasing takes
// over.
func (p *Pipeline) Teach(text, intent string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	next := map[string]string{}
	if t := p.taught.Load(); t != nil {
		maps.Copy(next, *t)
	}
	next[exactKey(fold(text))] = intent
	p.taught.Store(&next)
}

// Model returns the model now in service.
func (p *Pipeline) Model() *Model { return p.model.Load() }

// Swap puts m in service and returns the model it replaces.
func (p *Pipeline) Swap(m *Model) *Model {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.taught.Load(); t != nil {
		next := map[string]string{}
		for k, intent := range *t {
			if m.exact[k] != intent {
				next[k] = intent // not in the new model yet
			}
		}
		p.taught.Store(&next)
	}
	p.swaps.Add(1)
	return p.model.Swap(m)
}

// Swaps counts the models swapped in since the pipeline started.
func (p *Pipeline) Swaps() int64 { return p.swaps.Load() }
