package shims

import "github.com/go-python/gpython/py"

// ByteArray is bytearray: a mutable bytes.
type ByteArray struct {
	B []byte
}

// ByteArrayType is bound to `bytearray`.
var ByteArrayType = py.NewTypeX("bytearray", "bytearray(iterable_of_ints) -> bytearray\nbytearray(string, encoding[, errors]) -> bytearray\nbytearray(bytes_or_buffer) -> mutable copy of bytes_or_buffer\nbytearray(int) -> bytes array of size given by the parameter initialized with null bytes\nbytearray() -> empty bytes array", byteArrayNew, nil)

func (*ByteArray) Type() *py.Type { return ByteArrayType }

func byteArrayNew(t *py.Type, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
	if len(args) == 1 {
		if n, ok := args[0].(py.Int); ok {
			return &ByteArray{B: make([]byte, int(n))}, nil
		}
	}
	b, err := py.Call(py.BytesType, args, kwargs)
	if err != nil {
		return nil, err
	}
	return &ByteArray{B: append([]byte{}, b.(py.Bytes)...)}, nil
}
func installByteArray() {}
