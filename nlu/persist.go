package nlu

import (
	"bufio"
	"compress/gzip"
	"encoding/gob"
	"fmt"
	"io"

	"github.com/parleybot/parley/nlu/fuzzy"
)

// modelFormat is bumped whenever the encoded model changes shape.
const modelFormat = 1

type modelFile struct {
	Format    int
	Threshold float64
	Margin    float64
	Lists     []List
	Intents   *classifier
	Entities  *tagger
	Vocab     map[string]int
	Exact     map[string]string
	Roles     map[string]map[string]bool
}

// Save writes the model in Parley's model file format (gzip'd gob).
func (m *Model) Save(w io.Writer) error {
	zw := gzip.NewWriter(w)
	f := modelFile{
		Format: modelFormat, Threshold: m.opts.Threshold, Margin: m.opts.Margin, Lists: m.opts.Lists,
		Intents: m.intents, Entities: m.entities, Vocab: m.counts, Exact: m.exact, Roles: m.roles,
	}
	if err := gob.NewEncoder(zw).Encode(&f); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return zw.Close()
}

// Load reads a model written by Save.
func Load(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	var f modelFile
	if err := gob.NewDecoder(zr).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if f.Format != modelFormat {
		return nil, fmt.Errorf("model file format %d, this build reads %d: retrain it", f.Format, modelFormat)
	}
	if f.Intents == nil || len(f.Intents.Labels) == 0 || len(f.Intents.W) != len(f.Intents.Index)*len(f.Intents.Labels) {
		return nil, fmt.Errorf("model file is damaged: intent weights do not match")
	}
	if t := f.Entities; t != nil && (len(t.W) != len(t.Index)*len(t.Tags) || len(t.Trans) != (len(t.Tags)+1)*len(t.Tags)) {
		return nil, fmt.Errorf("model file is damaged: entity weights do not match")
	}
	gz, err := newGazetteer(f.Lists)
	if err != nil {
		return nil, fmt.Errorf("model file lists: %w", err)
	}
	opts := Options{Threshold: f.Threshold, Margin: f.Margin, Lists: f.Lists}
	opts.defaults()
	return &Model{opts: opts, intents: f.Intents, entities: f.Entities, vocab: fuzzy.NewIndex(f.Vocab), counts: f.Vocab, exact: f.Exact, roles: f.Roles, lists: gz}, nil
}
