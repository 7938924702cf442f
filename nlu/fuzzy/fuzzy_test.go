package fuzzy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// referenceOSA is the textbook full-table optimal-string-alignment distance.
func referenceOSA(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func TestDistance(t *testing.T) {
	long := strings.Repeat("ab", 50)
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"", "", 3, 0},
		{"abc", "abc", 0, 0},
		{"a", "", 3, 1},
		{"", "abc", 3, 3},
		{"", "abcd", 3, 4},
		{"abc", "xyz", 0, 1},
		{"ab", "ba", 3, 1},
		{"ca", "ac", 3, 1},
		{"ca", "abc", 3, 3}, // OSA: no edits after a transposition
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3},
		{"kitten", "sitting", 1, 2},
		{"kitten", "sitting", 0, 1},
		{"kitten", "sitting", -1, 3},
		{"flaw", "lawn", 5, 2},
		{"restrat", "restart", 2, 1},
		{"apche", "apache", 2, 1},
		{"ngnix", "nginx", 2, 1},
		{"abcdef", "badcfe", 5, 3},
		{"abcdefgh", "", 3, 4},
		{"saturday", "sunday", 5, 3},
		{"résumé", "resume", 5, 2},
		{"日本語", "日本", 5, 1},
		{"日本語", "本日語", 5, 1},
		{"\xff\xfe", "\xfe\xff", 5, 0}, // invalid bytes all read as U+FFFD
		{long, long[1:], 5, 1},
		{long, long[:50] + "x" + long[51:], 5, 1},
		{long, strings.Repeat("ba", 50), 10, 2}, // delete the first a, append one
		{long, strings.Repeat("ba", 50), -1, 2},
		{long, strings.Repeat("ba", 50), 1, 2},
		{long, strings.Repeat("ba", 50), 0, 1},
		{long, strings.Repeat("ab", 49) + "ba", 0, 1},
		{long, strings.Repeat("c", 100), 3, 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.12s/%.12s/%d", tt.a, tt.b, tt.max), func(t *testing.T) {
			if got := Distance(tt.a, tt.b, tt.max); got != tt.want {
				t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
			}
			if got := Distance(tt.b, tt.a, tt.max); got != tt.want {
				t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.b, tt.a, tt.max, got, tt.want)
			}
		})
	}
}

func TestDistanceMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a, b := randomWord(r, "abc", 0, 9), randomWord(r, "abc", 0, 9)
		want := referenceOSA(a, b)
		for limit := -1; limit <= 6; limit++ {
			w := want
			if limit >= 0 {
				w = min(want, limit+1)
			}
			if got := Distance(a, b, limit); got != w {
				t.Fatalf("Distance(%q, %q, %d) = %d, want %d (exact %d)", a, b, limit, got, w, want)
			}
		}
	}
}

func TestDistanceAllocations(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Distance("deployment", "deplyoment", 2) }); n != 0 {
		t.Errorf("Distance allocates %v times", n)
	}
}

func TestBudget(t *testing.T) {
	for n, want := range []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2} {
		if got := Budget(n); got != want {
			t.Errorf("Budget(%d) = %d, want %d", n, got, want)
		}
	}
	if got := Budget(100); got != 2 {
		t.Errorf("Budget(100) = %d, want 2", got)
	}
}

func TestClosest(t *testing.T) {
	services := []string{"apache", "nginx", "restart", "restore", "status", "prod", "dba"}
	tests := []struct {
		word       string
		candidates []string
		want       string
		ok         bool
	}{
		{"apche", services, "apache", true},
		{"restrat", services, "restart", true},
		{"ngnix", []string{"nginx"}, "nginx", true},
		{"db", []string{"dba"}, "", false},
		{"prod", []string{"prod"}, "prod", true},
		{"prd", []string{"prod"}, "", false},
		{"prdo", []string{"prod"}, "prod", true},
		{"staus", services, "status", true},
		{"postgres", services, "", false},
		{"nginy", []string{"nginx", "nginz"}, "", false},
		{"nginy", []string{"nginx", "nginx"}, "nginx", true},
		{"deployy", []string{"deploy", "deploys"}, "", false},
		{"abcdefgh", []string{"abcdefxy", "abcdefyx", "abcdefgx"}, "abcdefgx", true},
		{"abcdefgh", []string{"abcdefgx", "abcdefxy", "abcdefyx"}, "abcdefgx", true},
		{"abcdefgh", []string{"abcdefxy", "abcdefyx"}, "", false},
		{"abcdefgh", []string{"abcxyzgh"}, "", false},
		{"Nginx", []string{"nginx"}, "nginx", true},
		{"NGINX", []string{"nginx"}, "", false},
		{"kubernetes", []string{"kubernetse", "kubenretes"}, "", false},
		{"kubernetes", []string{"kubernetse", "kubernetes"}, "kubernetes", true},
		{"kübernetes", []string{"kubernetes"}, "kubernetes", true},
		{"anything", nil, "", false},
		{"", []string{""}, "", true},
		{"", []string{"a"}, "", false},
	}
	for _, tt := range tests {
		got, ok := Closest(tt.word, tt.candidates)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Closest(%q, %q) = %q, %v; want %q, %v", tt.word, tt.candidates, got, ok, tt.want, tt.ok)
		}
	}
}

func TestIndex(t *testing.T) {
	ix := NewIndex(map[string]int{"apache": 5, "nginx": 10, "nginz": 3, "ngin": 1, "prod": 7, "stage": 2, "stags": 2, "db": 1, "kübernetes": 1})
	if ix.Len() != 9 {
		t.Errorf("Len() = %d, want 9", ix.Len())
	}
	for _, w := range []string{"apache", "db", "kübernetes"} {
		if !ix.Contains(w) {
			t.Errorf("Contains(%q) = false", w)
		}
	}
	for _, w := range []string{"apche", "", "Apache"} {
		if ix.Contains(w) {
			t.Errorf("Contains(%q) = true", w)
		}
	}
	tests := []struct {
		word, want string
		dist       int
		ok         bool
	}{
		{"apache", "apache", 0, true},
		{"apche", "apache", 1, true},
		{"apahce", "apache", 1, true},
		{"nginy", "nginx", 1, true}, // nginx is more frequent than nginz
		{"stagx", "", 0, false},     // stage and stags: equal counts
		{"db", "db", 0, true},       // exact, though too short to correct
		{"dbx", "", 0, false},       // too short to correct
		{"kubernetes", "kübernetes", 1, true},
		{"kbernetes", "kübernetes", 1, true},
		{"kbrnetes", "kübernetes", 2, true},
		{"zzzzzzzz", "", 0, false},
	}
	for _, tt := range tests {
		got, dist, ok := ix.Lookup(tt.word)
		if got != tt.want || dist != tt.dist || ok != tt.ok {
			t.Errorf("Lookup(%q) = %q, %d, %v; want %q, %d, %v", tt.word, got, dist, ok, tt.want, tt.dist, tt.ok)
		}
	}
	empty := NewIndex(nil)
	if _, _, ok := empty.Lookup("anything"); ok || empty.Len() != 0 || empty.Contains("") {
		t.Error("an empty index matched something")
	}
}

func TestDeletionHashes(t *testing.T) {
	if p, inv := uint64(hashPrime), uint64(hashInverse); p*inv != 1 {
		t.Fatal("hashInverse is not the inverse of hashPrime")
	}
	hashOf := func(rs []rune) uint64 {
		var h hasher
		h.reset(rs)
		return h.whole()
	}
	rs := []rune("kübernetes日本")
	var h hasher
	h.reset(rs)
	for i := range rs {
		one := slices.Delete(slices.Clone(rs), i, i+1)
		if got, want := h.without1(i), hashOf(one); got != want {
			t.Errorf("without1(%d) = %x, want the hash of %q, %x", i, got, string(one), want)
		}
		for j := i + 1; j < len(rs); j++ {
			two := slices.Delete(slices.Clone(one), j-1, j)
			if got, want := h.without2(i, j), hashOf(two); got != want {
				t.Errorf("without2(%d, %d) = %x, want the hash of %q, %x", i, j, got, string(two), want)
			}
		}
	}
	if hashOf([]rune("a")) == hashOf([]rune("a\x00")) || hashOf(nil) == hashOf([]rune{0}) {
		t.Error("a trailing NUL does not change the hash")
	}
}

func TestIndexLongWords(t *testing.T) {
	long := strings.Repeat("x", 70)
	ix := NewIndex(map[string]int{long: 1})
	if got, _, ok := ix.Lookup(long); !ok || got != long {
		t.Errorf("Lookup of a long indexed word = %q, %v", got, ok)
	}
	if _, _, ok := ix.Lookup(long[1:]); ok {
		t.Error("a long word was matched fuzzily; it is documented as exact only")
	}
}

// TestIndexAgreesWithClosest checks Index.Lookup against Closest over a
// random dictionary where every count is equal, so both break ties the
// same way.
func TestIndexAgreesWithClosest(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	counts := map[string]int{}
	for len(counts) < 1500 {
		counts[randomWord(r, "abcdefg", 2, 11)] = 1
	}
	counts["日本語です"] = 1
	counts["résumé"] = 1
	var dict []string
	for w := range counts {
		dict = append(dict, w)
	}
	ix := NewIndex(counts)
	queries := []string{"日本語でず", "resume", "résumés", ""}
	for range 4000 {
		if r.IntN(3) == 0 {
			queries = append(queries, randomWord(r, "abcdefg", 0, 12))
			continue
		}
		queries = append(queries, mutate(r, dict[r.IntN(len(dict))], "abcdefgh", 1+r.IntN(3)))
	}
	for _, q := range queries {
		want, wantOK := Closest(q, dict)
		got, dist, ok := ix.Lookup(q)
		if got != want || ok != wantOK {
			t.Fatalf("Lookup(%q) = %q, %v; Closest = %q, %v", q, got, ok, want, wantOK)
		}
		if ok {
			if d := Distance(q, got, -1); d != dist || d > Budget(utf8.RuneCountInString(q)) {
				t.Fatalf("Lookup(%q) = %q at distance %d; Distance says %d", q, got, dist, d)
			}
		}
	}
}

func TestIndexConcurrentReads(t *testing.T) {
	ix := NewIndex(map[string]int{"apache": 1, "nginx": 1, "postgres": 1, "redis": 1})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if got, _, ok := ix.Lookup("postgers"); !ok || got != "postgres" {
					t.Errorf("Lookup(postgers) = %q, %v", got, ok)
					return
				}
				ix.Contains("redis")
				ix.Len()
			}
		})
	}
	wg.Wait()
}

func randomWord(r *rand.Rand, alphabet string, minLen, maxLen int) string {
	letters := []rune(alphabet)
	n := minLen + r.IntN(maxLen-minLen+1)
	var b strings.Builder
	for range n {
		b.WriteRune(letters[r.IntN(len(letters))])
	}
	return b.String()
}

// mutate applies k random edits (insert, delete, substitute, swap).
func mutate(r *rand.Rand, w, alphabet string, k int) string {
	rs := []rune(w)
	letters := []rune(alphabet)
	for range k {
		i := 0
		if len(rs) > 0 {
			i = r.IntN(len(rs))
		}
		switch op := r.IntN(4); {
		case op == 0 || len(rs) == 0:
			rs = append(rs[:i], append([]rune{letters[r.IntN(len(letters))]}, rs[i:]...)...)
		case op == 1:
			rs = append(rs[:i], rs[i+1:]...)
		case op == 2:
			rs[i] = letters[r.IntN(len(letters))]
		case i+1 < len(rs):
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
	}
	return string(rs)
}

// benchmarkIndex builds a 5,000-word dictionary of English-like words
// with Zipf-like counts, and typos of its words.
func benchmarkIndex() (ix *Index, dict, typos, misses []string) {
	r := rand.New(rand.NewPCG(3, 4))
	syllables := []string{"ba", "con", "de", "fi", "ga", "ker", "lo", "man", "ne", "or", "pre", "qui", "ra", "sto", "tur", "ve", "wi", "x", "yo", "ze", "st", "ing", "er", "ion", "al"}
	counts := map[string]int{}
	for len(counts) < 5000 {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteString(syllables[r.IntN(len(syllables))])
		}
		counts[w.String()] = 1 + 10000/(1+len(counts))
	}
	for w := range counts {
		dict = append(dict, w)
	}
	slices.Sort(dict)
	for range 1000 {
		typos = append(typos, mutate(r, dict[r.IntN(len(dict))], "aeiourst", 1))
		misses = append(misses, randomWord(r, "qjxzvkw", 5, 10))
	}
	return NewIndex(counts), dict, typos, misses
}

func BenchmarkLookup(b *testing.B) {
	ix, dict, typos, misses := benchmarkIndex()
	b.Run("typo", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ix.Lookup(typos[i%len(typos)])
			i++
		}
	})
	b.Run("miss", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ix.Lookup(misses[i%len(misses)])
			i++
		}
	})
	b.Run("exact", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ix.Lookup(dict[i%len(dict)])
			i++
		}
	})
}

func BenchmarkNewIndex(b *testing.B) {
	for b.Loop() {
		benchmarkIndex()
	}
}

func BenchmarkDistance(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Distance("deployment", "deplyoment", 2)
	}
}

func FuzzDistance(f *testing.F) {
	f.Add("kitten", "sitting", 2)
	f.Add("ca", "abc", 5)
	f.Add("日本語", "本日語", 1)
	f.Add("\xff", "", 0)
	f.Fuzz(func(t *testing.T, a, b string, limit int) {
		if len(a) > 200 || len(b) > 200 {
			return
		}
		limit &= 31
		d := Distance(a, b, limit)
		if d < 0 || d > limit+1 {
			t.Fatalf("Distance(%q, %q, %d) = %d, out of range", a, b, limit, d)
		}
		if back := Distance(b, a, limit); back != d {
			t.Fatalf("Distance is not symmetric: %d one way, %d the other", d, back)
		}
		if Distance(a, a, limit) != 0 || Distance(b, b, 0) != 0 {
			t.Fatal("Distance of a string to itself is not 0")
		}
		la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
		exact := Distance(a, b, -1)
		if exact < max(la, lb)-min(la, lb) || exact > max(la, lb) {
			t.Fatalf("Distance(%q, %q) = %d, outside [%d, %d]", a, b, exact, max(la, lb)-min(la, lb), max(la, lb))
		}
		if want := min(exact, limit+1); d != want {
			t.Fatalf("Distance(%q, %q, %d) = %d, but the exact distance is %d", a, b, limit, d, exact)
		}
		if (exact == 0) != (a == b) && utf8.ValidString(a) && utf8.ValidString(b) {
			t.Fatalf("Distance(%q, %q) = 0 for different strings, or not 0 for equal ones", a, b)
		}
		if la <= 40 && lb <= 40 {
			if ref := referenceOSA(a, b); ref != exact {
				t.Fatalf("Distance(%q, %q) = %d, reference %d", a, b, exact, ref)
			}
		}
	})
}
