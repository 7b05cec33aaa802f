// Command ceiling is the benchmarks' upper bound: Go's net/http answering
// hello world with no Python behind it.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	body := []byte("Hello, world!\n")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(os.Args[1], nil))
}
