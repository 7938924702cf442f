package nlu

import (
	"context"
	"errors"
	"sync/atomic"
)

// Pipeline serves Parse from the current model and lets a retrained model
// be swapped in atomically: a message is always answered by one whole
// model, never a half-built one. It is safe for concurrent use.
type Pipeline struct {
	model atomic.Pointer[Model]
	swaps atomic.Int64
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
	return m.Parse(ctx, text)
}

// Model returns the model now in service.
func (p *Pipeline) Model() *Model { return p.model.Load() }

// Swap puts m in service and returns the model it replaces.
func (p *Pipeline) Swap(m *Model) *Model {
	p.swaps.Add(1)
	return p.model.Swap(m)
}

// Swaps counts the models swapped in since the pipeline started.
func (p *Pipeline) Swaps() int64 { return p.swaps.Load() }
