package shims

import (
	"math/rand"
	"testing"

	"github.com/go-python/gpython/py"
)

// TestDictAgainstMap drives a Dict and a Go map with the same random
// inserts, updates and deletes (str and int keys), checking lookups,
// length and insertion order all along.
func TestDictAgainstMap(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	d := NewDict()
	m := map[any]int{}
	var order []any
	key := func() (py.Object, any) {
		n := r.Intn(300)
		if r.Intn(2) == 0 {
			return py.Int(n), n
		}
		s := string(rune('a'+n%26)) + string(rune('a'+n/26))
		return py.String(s), s
	}
	for step := 0; step < 20000; step++ {
		k, gk := key()
		switch r.Intn(3) {
		case 0, 1:
			if _, ok := m[gk]; !ok {
				order = append(order, gk)
			}
			m[gk] = step
			if err := d.Set(k, py.Int(step)); err != nil {
				t.Fatal(err)
			}
		case 2:
			_, had := m[gk]
			delete(m, gk)
			if had {
				for i, o := range order {
					if o == gk {
						order = append(order[:i:i], order[i+1:]...)
						break
					}
				}
			}
			_, ok, err := d.Delete(k)
			if err != nil || ok != had {
				t.Fatalf("step %d: delete %v: %v %v", step, gk, ok, err)
			}
		}
		v, ok, err := d.Get(k)
		want, wok := m[gk]
		if err != nil || ok != wok || (ok && int(v.(py.Int)) != want) {
			t.Fatalf("step %d: get %v = %v %v, want %v %v", step, gk, v, ok, want, wok)
		}
		if d.Len() != len(m) {
			t.Fatalf("step %d: len %d, want %d", step, d.Len(), len(m))
		}
	}
	keys := d.Keys()
	if len(keys) != len(order) {
		t.Fatalf("%d keys, want %d", len(keys), len(order))
	}
	for i, k := range keys {
		var gk any
		switch x := k.(type) {
		case py.Int:
			gk = int(x)
		case py.String:
			gk = string(x)
		}
		if gk != order[i] {
			t.Fatalf("key %d is %v, want %v", i, gk, order[i])
		}
	}
	// 1, 1.0 and True are one key
	e := NewDict()
	_ = e.Set(py.Int(1), py.String("int"))
	_ = e.Set(py.Float(1), py.String("float"))
	_ = e.Set(py.True, py.String("bool"))
	if e.Len() != 1 {
		t.Fatalf("1, 1.0, True: %d keys", e.Len())
	}
}
