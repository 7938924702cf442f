package audit

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

// chain returns n sealed records.
func chain(t testing.TB, n int) []Record {
	t.Helper()
	out := make([]Record, n)
	prev := ""
	for i := range out {
		r := golden()
		r.User = []string{"alice", "bob", "carol"}[i%3]
		r.Time = r.Time.Add(time.Duration(i) * time.Minute)
		sealed, err := Seal(r, int64(i+1), prev, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		out[i], prev = sealed, sealed.Hash
	}
	return out
}

func check(recs []Record, tip ...int64) Verification {
	var c Checker
	for _, r := range recs {
		c.Add(r)
	}
	if len(tip) > 0 {
		hash := ""
		if len(recs) > 0 {
			hash = recs[len(recs)-1].Hash
		}
		c.Tip(tip[0], hash)
	}
	return c.Result()
}

func TestChecker(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(rs []Record) []Record
		seq    int64
		reason Reason
		detail string
	}{
		{"intact", func(rs []Record) []Record { return rs }, 0, Intact, ""},
		{"edit", func(rs []Record) []Record { rs[4].User = "mallory"; return rs }, 5, Edited,
			"record 5 was edited after it was written: its contents no longer match its hash"},
		{"edit the first", func(rs []Record) []Record { rs[0].Result = ""; return rs }, 1, Edited, "record 1 was edited"},
		{"edit the last", func(rs []Record) []Record { rs[9].Params = nil; return rs }, 10, Edited, "record 10 was edited"},
		{"edit the hash", func(rs []Record) []Record { rs[4].Hash = strings.Repeat("0", 64); return rs }, 5, Edited, "record 5 was edited"},
		{"edit and rehash", func(rs []Record) []Record {
			rs[4].User = "mallory"
			rs[4].Hash = rs[4].ComputeHash()
			return rs
		}, 6, Unlinked, "record 6 does not follow record 5: its prev is not record 5's hash, so one of them was replaced"},
		{"rewrite the first record's prev", func(rs []Record) []Record {
			rs[0].Prev = "x"
			rs[0].Hash = rs[0].ComputeHash()
			return rs
		}, 1, Unlinked, "record 1 should start the chain but its prev is not empty"},
		{"delete", func(rs []Record) []Record { return append(rs[:4:4], rs[5:]...) }, 5, Missing,
			"record 5 is missing: record 4 is followed by record 6"},
		{"delete several", func(rs []Record) []Record { return append(rs[:4:4], rs[8:]...) }, 5, Missing,
			"records 5 to 8 are missing: record 4 is followed by record 9"},
		{"delete the first", func(rs []Record) []Record { return rs[2:] }, 1, Missing,
			"records 1 to 2 are missing: the log starts at record 3"},
		{"swap neighbours", func(rs []Record) []Record { rs[4], rs[5] = rs[5], rs[4]; return rs }, 5, Reordered,
			"record 5 is out of order: it comes after record 6"},
		{"move back", func(rs []Record) []Record {
			// 1 2 3 4 6 7 8 5 9 10
			moved := rs[4]
			rs = append(rs[:4:4], rs[5:]...)
			return append(rs[:7:7], append([]Record{moved}, rs[7:]...)...)
		}, 5, Reordered, "record 5 is out of order: it comes after record 6"},
		{"swap contents but not numbers", func(rs []Record) []Record {
			a, b := rs[4], rs[5]
			rs[4], rs[5] = b, a
			rs[4].Seq, rs[5].Seq = 5, 6
			return rs
		}, 5, Reordered, "record 5 holds what was written as record 6: records were moved"},
		{"renumber", func(rs []Record) []Record { rs[4].Seq = 6; return rs }, 5, Edited,
			"record 5 was edited after it was written: its sequence number was changed to 6"},
		{"renumber and edit", func(rs []Record) []Record { rs[4].Seq = 6; rs[4].User = "x"; return rs }, 5, Edited,
			"the record where record 5 belongs (it says it is record 6) was edited"},
		{"repeat", func(rs []Record) []Record { return append(rs[:5:5], rs[4:]...) }, 6, Reordered,
			"record 5 appears again after record 5, where record 6 should be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := check(tt.tamper(chain(t, 10)))
			if tt.reason == Intact {
				if !v.OK() || v.Records != 10 || v.LastSeq != 10 || v.String() != "10 records, chain intact" {
					t.Fatalf("intact chain: %v", v)
				}
				return
			}
			if v.OK() {
				t.Fatalf("tampered chain verifies: %v", v)
			}
			if v.Broken.Seq != tt.seq || v.Broken.Reason != tt.reason || !strings.Contains(v.Broken.Detail, tt.detail) {
				t.Errorf("got %s [%s]\nwant record %d [%s]: %s", v, v.Broken.Reason, tt.seq, tt.reason, tt.detail)
			}
			if want := "chain broken at record "; !strings.HasPrefix(v.String(), want) {
				t.Errorf("String = %q", v.String())
			}
		})
	}
}

func TestCheckerTip(t *testing.T) {
	rs := chain(t, 5)
	if v := check(rs, 5); !v.OK() || v.Head != rs[4].Hash {
		t.Errorf("matching tip: %v", v)
	}
	if v := check(rs[:3], 5); v.OK() || v.Broken.Seq != 4 || v.Broken.Reason != Missing ||
		v.Broken.Detail != "records 4 to 5 are missing: the log wrote 5 records and the last one left is record 3" {
		t.Errorf("tip ahead: %v", v)
	}
	if v := check(nil, 5); v.OK() || v.Broken.Seq != 1 || !strings.Contains(v.Broken.Detail, "none are left") {
		t.Errorf("all gone: %v", v)
	}
	if v := check(rs, 4); v.OK() || v.Broken.Seq != 5 || v.Broken.Reason != Unlinked {
		t.Errorf("tip behind: %v", v)
	}
	var c Checker
	for _, r := range rs {
		c.Add(r)
	}
	c.Tip(5, "other")
	if v := c.Result(); v.OK() || v.Broken.Seq != 5 || v.Broken.Reason != Edited || !strings.Contains(v.Broken.Detail, "replaced") {
		t.Errorf("tip with another hash: %v", v)
	}
	if v := check(nil, 0); !v.OK() || v.String() != "0 records, chain intact" {
		t.Errorf("empty: %v", v)
	}
	if v := check(rs[:1]); v.String() != "1 record, chain intact" {
		t.Errorf("one: %v", v)
	}
}

func jsonl(t testing.TB, rs []Record) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSONL(&b, rs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestVerifyJSONL(t *testing.T) {
	data := jsonl(t, chain(t, 4))
	tests := []struct {
		name   string
		data   []byte
		ok     bool
		seq    int64
		reason Reason
	}{
		{"intact", data, true, 0, Intact},
		{"empty", nil, true, 0, Intact},
		{"torn", data[:len(data)-20], false, 4, Truncated},
		{"no final newline", data[:len(data)-1], false, 4, Truncated},
		{"blank line", bytes.Replace(data, []byte("\n"), []byte("\n\n"), 1), false, 2, Unreadable},
		{"garbage", append([]byte("hello\n"), data...), false, 1, Unreadable},
		{"unknown field", bytes.Replace(data, []byte(`"seq":3,`), []byte(`"seq":3,"x":1,`), 1), false, 3, Unreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := VerifyJSONL(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if v.OK() != tt.ok || !tt.ok && (v.Broken.Seq != tt.seq || v.Broken.Reason != tt.reason) {
				t.Errorf("VerifyJSONL = %v, want ok=%v record %d %s", v, tt.ok, tt.seq, tt.reason)
			}
		})
	}
}

func TestReader(t *testing.T) {
	rs := chain(t, 3)
	data := jsonl(t, rs)
	r := NewReader(bytes.NewReader(append(data, "oops\n{\"seq\":"...)))
	for i := range rs {
		got, err := r.Next()
		if err != nil || !reflect.DeepEqual(got, rs[i]) {
			t.Fatalf("record %d: %+v, %v", i+1, got, err)
		}
	}
	if _, err := r.Next(); err == nil || r.Line() != 4 || !strings.HasPrefix(err.Error(), "line 4: not an audit record") {
		t.Errorf("line 4: %v (line %d)", err, r.Line())
	}
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "line 5: the last line is incomplete") {
		t.Errorf("line 5: %v", err)
	}
}

// FuzzVerifyJSONL changes bytes of an intact export. Whatever the change,
// VerifyJSONL must not panic, and may only call the chain intact when the
// records it reads are the ones written (JSON allows a few spellings of
// the same record, such as "Seq" for "seq").
func FuzzVerifyJSONL(f *testing.F) {
	rs := chain(f, 6)
	data := jsonl(f, rs)
	f.Add(uint(0), byte('x'), false)
	f.Add(uint(100), byte('1'), false)
	f.Add(uint(len(data)-2), byte('}'), true)
	f.Fuzz(func(t *testing.T, at uint, b byte, cut bool) {
		d := bytes.Clone(data)
		i := int(at % uint(len(d)))
		if cut {
			d = d[:i]
		} else {
			d[i] = b
		}
		v, err := VerifyJSONL(bytes.NewReader(d))
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() {
			return
		}
		var got []Record
		rd := NewReader(bytes.NewReader(d))
		for {
			r, err := rd.Next()
			if err != nil {
				break
			}
			got = append(got, r)
		}
		if len(got) > 0 && !reflect.DeepEqual(got, rs[:len(got)]) {
			t.Fatalf("changed records verify as intact: %v\n%s", v, d)
		}
	})
}
