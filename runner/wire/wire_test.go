package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func frame(typ byte, payload string) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(len(payload)))
	return append(b, payload...)
}

// FuzzWire reads whatever bytes a confused or hostile worker might send:
// the reader never panics or allocates past MaxPayload, the frames it
// returns written again are the bytes it read, and a pairs payload split
// and joined again is the same payload.
func FuzzWire(f *testing.F) {
	f.Add(frame(Start, "200 OK\x00Content-Type\x00text/plain"))
	f.Add(append(frame(Data, "hello"), frame(End, "")...))
	f.Add(frame(Request, "REQUEST_METHOD\x00GET\x00PATH_INFO\x00/"))
	f.Add([]byte{Data, 0xff, 0xff, 0xff, 0xff})    // past MaxPayload
	f.Add([]byte{Data, 0, 0, 0, 9, 'c', 'u', 't'}) // cut short
	f.Add(frame(Request, "odd\x00number\x00of"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		var again bytes.Buffer
		w := NewWriter(&again)
		for {
			typ, p, err := r.Next()
			if err != nil {
				if err == ErrTooLarge && binary.BigEndian.Uint32(data[again.Len()+1:]) <= MaxPayload {
					t.Fatalf("ErrTooLarge for a frame within MaxPayload")
				}
				if err != io.EOF && err != io.ErrUnexpectedEOF && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if len(p) > MaxPayload {
				t.Fatalf("a %d-byte payload", len(p))
			}
			if err := w.Write(typ, p); err != nil {
				t.Fatal(err)
			}
			w.Flush()
			if pairs, err := Pairs(p); err == nil {
				var joined []byte
				for _, kv := range pairs {
					joined = AppendPair(joined, kv[0], kv[1])
				}
				if !bytes.Equal(joined, p) {
					t.Fatalf("Pairs(%q) joined again is %q", p, joined)
				}
			} else if bytes.Count(p, []byte{0})%2 == 1 {
				t.Fatalf("Pairs(%q) refused an even number of fields: %v", p, err)
			}
		}
		if !bytes.HasPrefix(data, again.Bytes()) {
			t.Fatalf("the frames read, written again, are not the input:\n%q\n%q", again.Bytes(), data)
		}
	})
}
