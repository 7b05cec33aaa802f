package bytecode

import (
	"testing"

	"github.com/go-python/gpython/compile"
	"github.com/go-python/gpython/py"
	"github.com/go-python/gpython/vm"
)

// Inserting instructions must keep every jump on its instruction and the
// line table on its lines.
func TestEditKeepsJumpsAndLines(t *testing.T) {
	src := "x = 0\nfor i in range(3):\n    if i > 1:\n        x = x + i\n    else:\n        x = x - 1\ny = x\n"
	co, err := compile.Compile(src, "t.py", py.ExecMode, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := Decode(co.Code)
	lines := map[int]int32{}
	for _, in := range before {
		lines[in.Pos] = co.Addr2Line(int32(in.Pos))
	}
	changed, err := Edit(co, func(i int, ins []Instr) []Instr {
		// pad every instruction with two NOPs in front
		return []Instr{New(vm.NOP, 0), New(vm.NOP, 0), ins[i]}
	})
	if err != nil || !changed {
		t.Fatalf("edit: %v %v", changed, err)
	}
	after, _ := Decode(co.Code)
	if len(after) != 3*len(before) {
		t.Fatalf("%d instructions, want %d", len(after), 3*len(before))
	}
	// every original instruction is now at index 3k+2; its jump target is
	// the group start (the first NOP) of the instruction it jumped to.
	startOf := map[int]int{}
	for k, in := range before {
		startOf[in.Pos] = after[3*k].Pos
	}
	startOf[len(co.Code)] = len(co.Code)
	for k, in := range before {
		got := after[3*k+2]
		if got.Op != in.Op {
			t.Fatalf("instruction %d: %v, want %v", k, got.Op, in.Op)
		}
		if in.Target >= 0 {
			want, ok := startOf[in.Target]
			if !ok {
				t.Fatalf("jump to %d is not an instruction", in.Target)
			}
			if got.Target != want {
				t.Errorf("%v at %d jumps to %d, want %d", got.Op, got.Pos, got.Target, want)
			}
		}
		if l := co.Addr2Line(int32(after[3*k].Pos)); l != lines[in.Pos] {
			t.Errorf("%v: line %d, want %d", in.Op, l, lines[in.Pos])
		}
	}
	// and it still runs: x = 0 -1 -1 +2 = 0... (i=0: -1, i=1: -2, i=2: 0)
	if testing.Verbose() {
		t.Log(Disassemble(co))
	}
}
