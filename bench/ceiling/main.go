// Command ceiling is the benchmarks' upper bound: Go's net/http with no
// Python behind it. It answers what the harness asks the Python servers:
// hello world at any path, /download?size=N bytes (64 KiB writes, as
// testapps/pure.py's download yields them), and /upload (the body read and
// counted).
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	body := []byte("Hello, world!\n")
	pattern := make([]byte, 64<<10)
	for i := range pattern {
		pattern[i] = "0123456789abcdef"[i%16]
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	http.HandleFunc("/download", func(w http.ResponseWriter, r *http.Request) {
		size, err := strconv.Atoi(r.URL.Query().Get("size"))
		if err != nil {
			size = 1 << 20
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		for size > 0 {
			n := min(size, len(pattern))
			if _, err := w.Write(pattern[:n]); err != nil {
				return
			}
			size -= n
		}
	})
	http.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%d\n", n)
	})
	log.Fatal(http.ListenAndServe(os.Args[1], nil))
}
