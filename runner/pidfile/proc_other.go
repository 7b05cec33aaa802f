//go:build !linux

package pidfile

// Without /proc a live process cannot be told apart from a zombie or from
// another program: any live PID counts, as in twistd.
func zombie(int) bool { return false }

func isGowsgi(int) bool { return true }
