package nlu

import "math/bits"

// sparseRows holds the trained weights of features as sparse rows behind
// an open-addressing table of feature hashes. Parsing looks up every
// feature of every token, and most features speak for one or two tags:
// one probe into a flat table, then the row's few cells next to each
// other, touch far less memory than a map and dense rows.
type sparseRows struct {
	slots []sparseSlot
	cells []sparseCell
	shift uint
}

type sparseSlot struct {
	key   uint64
	lo, n uint32 // the row is cells[lo:lo+n]; n == 0 marks an empty slot
}

type sparseCell struct {
	tag uint16
	val float32
}

// newSparseRows builds the table of the features in index whose rows of
// w (width n) hold a non-zero weight; the others add nothing.
func newSparseRows(index map[uint64]int32, w []float32, n int) sparseRows {
	used := 0
	for _, row := range index {
		for _, v := range w[int(row)*n : int(row)*n+n] {
			if v != 0 {
				used++
				break
			}
		}
	}
	size := 8
	for size < 2*used {
		size <<= 1
	}
	x := sparseRows{slots: make([]sparseSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	// Rows in row order, so the same model builds the same cells.
	keys := keysInRowOrder(index)
	for row, h := range keys {
		lo := len(x.cells)
		for j, v := range w[row*n : row*n+n] {
			if v != 0 {
				x.cells = append(x.cells, sparseCell{tag: uint16(j), val: v})
			}
		}
		if len(x.cells) == lo {
			continue
		}
		i := x.home(h)
		for x.slots[i].n != 0 {
			i = (i + 1) & (len(x.slots) - 1)
		}
		x.slots[i] = sparseSlot{key: h, lo: uint32(lo), n: uint32(len(x.cells) - lo)}
	}
	return x
}

// home is the slot a key probes first: Fibonacci hashing of the key.
func (x *sparseRows) home(h uint64) int {
	return int((h * 0x9e3779b97f4a7c15) >> x.shift)
}

// row returns the non-zero weights of feature h (none when unknown).
func (x *sparseRows) row(h uint64) []sparseCell {
	if len(x.slots) == 0 {
		return nil
	}
	mask := len(x.slots) - 1
	for i := x.home(h); ; i = (i + 1) & mask {
		s := x.slots[i]
		if s.n == 0 {
			return nil
		}
		if s.key == h {
			return x.cells[s.lo : s.lo+s.n]
		}
	}
}
