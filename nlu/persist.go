package nlu

import (
	"bufio"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/parleybot/parley/nlu/fuzzy"
)

// modelFormat is bumped whenever the encoded model changes shape.
const modelFormat = 4

// The file form of a model holds no maps, so the same model always
// encodes to the same bytes.
type modelFile struct {
	Format    int
	Threshold float64
	Margin    float64
	Lists     []fileList
	Regexes   []Regex
	Intents   fileWeights
	Words     []labelCount // word-level feature counts per intent
	Entities  *fileWeights
	Vocab     []wordCount
	Exact     [][2]string // phrasing, intent
	Roles     [][2]string // intent, entity type
	Trans     []float32   // tagger transitions
	Marked    []string    // words seen only inside entity marks
}

type fileList struct {
	Type     string
	Values   []string
	Synonyms [][]string // canonical value first, then its spellings
}

// fileWeights is a classifier or tagger: labels, the feature hash of each
// weight row in row order, and the rows.
type fileWeights struct {
	Labels []string
	Keys   []uint64
	W      []float32
}

type wordCount struct {
	Word  string
	Count int
}

func keysInRowOrder(index map[uint64]int32) []uint64 {
	keys := make([]uint64, len(index))
	for h, row := range index {
		keys[row] = h
	}
	return keys
}

func indexOf(keys []uint64) map[uint64]int32 {
	index := make(map[uint64]int32, len(keys))
	for row, h := range keys {
		index[h] = int32(row)
	}
	return index
}

// Save writes the model in Parley's model file format (gzip'd gob). The
// same model gives the same bytes.
func (m *Model) Save(w io.Writer) error {
	f := modelFile{
		Format: modelFormat, Threshold: m.opts.Threshold, Margin: m.opts.Margin, Regexes: m.opts.Regexes,
		Intents: fileWeights{Labels: m.intents.Labels, Keys: keysInRowOrder(m.intents.Index), W: m.intents.W},
		Words:   m.intents.Counts,
	}
	for _, l := range m.opts.Lists {
		fl := fileList{Type: l.Type, Values: l.Values}
		for _, canon := range slices.Sorted(maps.Keys(l.Synonyms)) {
			fl.Synonyms = append(fl.Synonyms, append([]string{canon}, l.Synonyms[canon]...))
		}
		f.Lists = append(f.Lists, fl)
	}
	if t := m.entities; t != nil {
		f.Entities = &fileWeights{Labels: t.Tags, Keys: keysInRowOrder(t.Index), W: t.W}
		f.Trans = t.Trans
	}
	for _, w := range slices.Sorted(maps.Keys(m.counts)) {
		f.Vocab = append(f.Vocab, wordCount{w, m.counts[w]})
	}
	f.Marked = slices.Sorted(maps.Keys(m.marked))
	for _, text := range slices.Sorted(maps.Keys(m.exact)) {
		f.Exact = append(f.Exact, [2]string{text, m.exact[text]})
	}
	for _, intent := range slices.Sorted(maps.Keys(m.roles)) {
		for _, typ := range slices.Sorted(maps.Keys(m.roles[intent])) {
			f.Roles = append(f.Roles, [2]string{intent, typ})
		}
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(zw).Encode(&f); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return zw.Close()
}

// ErrModelFormat is returned by Load for a model file written by another
// version of Parley.
var ErrModelFormat = errors.New("nlu: model file of another format")

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
		return nil, fmt.Errorf("%w: the file has format %d, this build reads %d: retrain it", ErrModelFormat, f.Format, modelFormat)
	}
	in := f.Intents
	if len(in.Labels) == 0 || len(in.W) != len(in.Keys)*len(in.Labels) {
		return nil, fmt.Errorf("model file is damaged: intent weights do not match")
	}
	words, err := newEvidence(f.Words, len(in.Keys), len(in.Labels))
	if err != nil {
		return nil, fmt.Errorf("model file is damaged: %w", err)
	}
	m := &Model{
		intents: &classifier{Labels: in.Labels, Index: indexOf(in.Keys), W: in.W, Counts: f.Words, words: words},
		counts:  map[string]int{}, exact: map[string]string{}, roles: map[string]map[string]bool{},
		marked: map[string]bool{},
	}
	if t := f.Entities; t != nil {
		n := len(t.Labels)
		if len(t.W) != len(t.Keys)*n || len(f.Trans) != (n+1)*n {
			return nil, fmt.Errorf("model file is damaged: entity weights do not match")
		}
		m.entities = &tagger{Tags: t.Labels, Index: indexOf(t.Keys), W: t.W, Trans: f.Trans}
	}
	opts := Options{Threshold: f.Threshold, Margin: f.Margin, Regexes: f.Regexes}
	for _, fl := range f.Lists {
		l := List{Type: fl.Type, Values: fl.Values, Synonyms: map[string][]string{}}
		for _, syn := range fl.Synonyms {
			if len(syn) > 0 {
				l.Synonyms[syn[0]] = syn[1:]
			}
		}
		opts.Lists = append(opts.Lists, l)
	}
	opts.defaults()
	m.opts = opts
	if m.lists, err = newGazetteer(opts.Lists); err != nil {
		return nil, fmt.Errorf("model file lists: %w", err)
	}
	if m.regexes, err = compileRegexes(opts.Regexes); err != nil {
		return nil, fmt.Errorf("model file regexes: %w", err)
	}
	for _, wc := range f.Vocab {
		m.counts[wc.Word] = wc.Count
	}
	m.vocab = fuzzy.NewIndex(m.counts)
	for _, w := range f.Marked {
		m.marked[w] = true
	}
	for _, e := range f.Exact {
		m.exact[e[0]] = e[1]
	}
	for _, r := range f.Roles {
		if m.roles[r[0]] == nil {
			m.roles[r[0]] = map[string]bool{}
		}
		m.roles[r[0]][r[1]] = true
	}
	return m, nil
}
