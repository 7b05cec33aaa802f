//go:build !linux

package pool

// limitData is Linux's (prlimit); elsewhere --max-memory is the resident
// memory check alone, where there is a /proc to read it from.
func limitData(pid int, maxMemory int64) error { return nil }
