//go:build ignore

// Command staticserve serves a directory for bench/static.sh, either with
// gowsgi's runner/static handler or with Go's bare http.FileServer:
//
//	go run bench/staticserve/main.go -mode static|fileserver -addr 127.0.0.1:PORT -dir DIR
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/gowsgi/gowsgi/runner/static"
)

func main() {
	mode := flag.String("mode", "static", "static (runner/static) or fileserver (http.FileServer)")
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dir := flag.String("dir", ".", "directory to serve")
	flag.Parse()

	var h http.Handler
	switch *mode {
	case "static":
		sh, err := static.New(static.Options{Root: *dir, Prefix: "/"})
		if err != nil {
			log.Fatal(err)
		}
		h = sh
	case "fileserver":
		h = http.FileServer(http.Dir(*dir))
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
	log.Fatal(http.ListenAndServe(*addr, h))
}
