package nlu

import "math/bits"

// featIndex maps feature hashes to weight rows with open addressing.
// Parsing looks up every feature of every token, and probing one flat
// table is about twice as fast as a map.
type featIndex struct {
	slots []featSlot
	shift uint
}

type featSlot struct {
	key uint64
	row int32 // row + 1; 0 marks an empty slot
}

// newFeatIndex builds the table of m at most half full.
func newFeatIndex(m map[uint64]int32) featIndex {
	size := 8
	for size < 2*len(m) {
		size <<= 1
	}
	x := featIndex{slots: make([]featSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for h, row := range m {
		i := x.home(h)
		for x.slots[i].row != 0 {
			i = (i + 1) & (len(x.slots) - 1)
		}
		x.slots[i] = featSlot{key: h, row: row + 1}
	}
	return x
}

// home is the slot a key probes first: Fibonacci hashing of the key.
func (x *featIndex) home(h uint64) int {
	return int((h * 0x9e3779b97f4a7c15) >> x.shift)
}

// get returns the row of feature h.
func (x *featIndex) get(h uint64) (int32, bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	mask := len(x.slots) - 1
	for i := x.home(h); ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.row == 0 {
			return 0, false
		}
		if s.key == h {
			return s.row - 1, true
		}
	}
}
