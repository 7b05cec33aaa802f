package pool

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// limitData caps the writable private memory (RLIMIT_DATA) of a worker that
// has just imported the app at what it uses now plus maxMemory, so that an
// allocation that would grow it further fails at once (a MemoryError in
// CPython: the request gets a 500) instead of growing for up to
// memoryCheckEvery before the resident-memory check catches it.
//
// Not RLIMIT_AS: it counts reservations never touched (glibc reserves 64 MiB
// per malloc arena, CPython's worker has 1 GiB of address space at rest).
// RLIMIT_DATA counts only writable mappings, which are mostly the threads'
// stacks (8 MiB each, hardly resident) and the heap; taking the worker's own
// figure at ready as the base leaves the libraries and lanes it has alone.
// Threads the app starts later count their stacks against maxMemory.
func limitData(pid int, maxMemory int64) error {
	base, err := dataBytes(pid)
	if err != nil {
		return err
	}
	var old unix.Rlimit
	if err := unix.Prlimit(pid, unix.RLIMIT_DATA, nil, &old); err != nil {
		return err
	}
	lim := unix.Rlimit{Cur: min(uint64(base+maxMemory), old.Max), Max: old.Max}
	return unix.Prlimit(pid, unix.RLIMIT_DATA, &lim, nil)
}

// dataBytes reads a process's VmData (its writable private memory, touched
// or not) from /proc.
func dataBytes(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmData:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmData in /proc/%d/status", pid)
}
