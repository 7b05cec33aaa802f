// Package bytecode decodes, edits and re-assembles the Python 3.4 bytecode
// that gpython's compiler produces, so that gowsgi can fix compiled code from
// outside gpython (in the py.Compile hook) without patching its compiler.
//
// An edit replaces one instruction with a sequence of instructions. Jump
// targets keep pointing at the same original instruction (or at the start of
// the sequence that replaced it), and the line-number table is remapped, so
// tracebacks keep their line numbers.
package bytecode

import (
	"fmt"
	"strings"

	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"
)

// Instr is one decoded instruction.
type Instr struct {
	Op  vm.OpCode
	Arg uint32
	// Pos is the offset of the instruction in the original code (its
	// EXTENDED_ARG prefix included), or -1 for an inserted instruction.
	Pos int
	// Target is, for a jump, the original offset it jumps to.
	Target int
}

// IsJumpRel reports whether op takes a jump relative to the next instruction.
func IsJumpRel(op vm.OpCode) bool {
	switch op {
	case vm.FOR_ITER, vm.JUMP_FORWARD, vm.SETUP_LOOP, vm.SETUP_EXCEPT, vm.SETUP_FINALLY, vm.SETUP_WITH:
		return true
	}
	return false
}

// IsJumpAbs reports whether op takes an absolute jump target.
func IsJumpAbs(op vm.OpCode) bool {
	switch op {
	case vm.JUMP_IF_FALSE_OR_POP, vm.JUMP_IF_TRUE_OR_POP, vm.JUMP_ABSOLUTE,
		vm.POP_JUMP_IF_FALSE, vm.POP_JUMP_IF_TRUE, vm.CONTINUE_LOOP:
		return true
	}
	return false
}

// Decode splits code into instructions; EXTENDED_ARG prefixes are folded into
// the instruction they extend.
func Decode(code string) ([]Instr, error) {
	var out []Instr
	var ext uint32
	start := -1
	for i := 0; i < len(code); {
		op := vm.OpCode(code[i])
		if start < 0 {
			start = i
		}
		i++
		var arg uint32
		if op.HAS_ARG() {
			if i+2 > len(code) {
				return nil, fmt.Errorf("bytecode: truncated argument at %d", i-1)
			}
			arg = uint32(code[i]) | uint32(code[i+1])<<8
			i += 2
		}
		if op == vm.EXTENDED_ARG {
			ext = arg << 16
			continue
		}
		arg |= ext
		ext = 0
		in := Instr{Op: op, Arg: arg, Pos: start, Target: -1}
		switch {
		case IsJumpRel(op):
			in.Target = i + int(arg)
		case IsJumpAbs(op):
			in.Target = int(arg)
		}
		out = append(out, in)
		start = -1
	}
	return out, nil
}

// New returns an inserted (synthetic) instruction.
func New(op vm.OpCode, arg uint32) Instr { return Instr{Op: op, Arg: arg, Pos: -1, Target: -1} }

func size(in Instr, arg uint32) int {
	if !in.Op.HAS_ARG() {
		return 1
	}
	if arg > 0xFFFF {
		return 6
	}
	return 3
}

// Edit calls fn for every instruction of co (not of nested code objects) and
// replaces it with what fn returns; fn returns nil to keep the instruction.
// A replacement that keeps the original instruction should include it (with
// its Pos and Target) so that jumps to it still resolve. Edit re-assembles
// co.Code and rewrites co.Lnotab; it reports whether anything changed.
func Edit(co *py.Code, fn func(idx int, ins []Instr) []Instr) (bool, error) {
	ins, err := Decode(co.Code)
	if err != nil {
		return false, err
	}
	groups := make([][]Instr, len(ins))
	changed := false
	for i := range ins {
		if rep := fn(i, ins); rep != nil {
			groups[i] = rep
			changed = true
		} else {
			groups[i] = ins[i : i+1]
		}
	}
	if !changed {
		return false, nil
	}
	return true, assemble(co, ins, groups)
}

func assemble(co *py.Code, old []Instr, groups [][]Instr) error {
	oldLen := len(co.Code)
	// newPos maps an original instruction offset to the offset of the start
	// of its group in the new code.
	newPos := make(map[int]int, len(old)+1)
	var flat []Instr
	var groupStart []int // index into flat where each group starts
	for _, g := range groups {
		groupStart = append(groupStart, len(flat))
		flat = append(flat, g...)
	}
	args := make([]uint32, len(flat))
	for i, in := range flat {
		args[i] = in.Arg
	}
	pos := make([]int, len(flat)+1)
	for pass := 0; ; pass++ {
		if pass > 10 {
			return fmt.Errorf("bytecode: jump offsets did not settle")
		}
		p := 0
		for i, in := range flat {
			pos[i] = p
			p += size(in, args[i])
		}
		pos[len(flat)] = p
		for gi, g := range groups {
			if len(g) == 0 {
				continue
			}
			newPos[old[gi].Pos] = pos[groupStart[gi]]
		}
		newPos[oldLen] = p
		stable := true
		for i, in := range flat {
			if in.Target < 0 {
				continue
			}
			t, ok := newPos[in.Target]
			if !ok {
				return fmt.Errorf("bytecode: jump at %d to %d, not an instruction", in.Pos, in.Target)
			}
			var a int
			if IsJumpRel(in.Op) {
				a = t - (pos[i] + size(in, args[i]))
			} else {
				a = t
			}
			if a < 0 {
				return fmt.Errorf("bytecode: backward relative jump at %d", in.Pos)
			}
			if uint32(a) != args[i] {
				if size(in, uint32(a)) != size(in, args[i]) {
					stable = false
				}
				args[i] = uint32(a)
			}
		}
		if stable {
			// One more sizing pass is not needed: sizes did not change.
			break
		}
	}
	var b strings.Builder
	for i, in := range flat {
		a := args[i]
		if in.Op.HAS_ARG() {
			if a > 0xFFFF {
				b.WriteByte(byte(vm.EXTENDED_ARG))
				b.WriteByte(byte(a >> 16))
				b.WriteByte(byte(a >> 24))
			}
			b.WriteByte(byte(in.Op))
			b.WriteByte(byte(a))
			b.WriteByte(byte(a >> 8))
		} else {
			b.WriteByte(byte(in.Op))
		}
	}
	lnotab, err := remapLnotab(co.Lnotab, newPos)
	if err != nil {
		return err
	}
	co.Code = b.String()
	co.Lnotab = lnotab
	return nil
}

// remapLnotab moves every address of the table to where the instruction it
// named went, keeping the line increments as they were.
func remapLnotab(lnotab string, newPos map[int]int) (string, error) {
	var out []byte
	oldAddr, lastNew := 0, 0
	for i := 0; i+1 < len(lnotab); i += 2 {
		oldAddr += int(lnotab[i])
		line := lnotab[i+1]
		na, ok := newPos[oldAddr]
		if !ok {
			// An address between instructions: keep the distance from the
			// previous mapped address (it cannot happen with gpython's compiler).
			na = lastNew + int(lnotab[i])
		}
		d := na - lastNew
		if d < 0 {
			return "", fmt.Errorf("bytecode: line table not monotonic")
		}
		for d > 255 {
			out = append(out, 255, 0)
			d -= 255
		}
		out = append(out, byte(d), line)
		lastNew = na
	}
	return string(out), nil
}

// Walk calls fn for co and every code object nested in its constants.
func Walk(co *py.Code, fn func(*py.Code) error) error {
	if err := fn(co); err != nil {
		return err
	}
	for _, c := range co.Consts {
		if sub, ok := c.(*py.Code); ok {
			if err := Walk(sub, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// Disassemble renders code for debugging and tests.
func Disassemble(co *py.Code) string {
	ins, err := Decode(co.Code)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for _, in := range ins {
		fmt.Fprintf(&b, "%4d %-20s", in.Pos, in.Op.String())
		if in.Op.HAS_ARG() {
			fmt.Fprintf(&b, " %d", in.Arg)
		}
		if in.Target >= 0 {
			fmt.Fprintf(&b, " (to %d)", in.Target)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
