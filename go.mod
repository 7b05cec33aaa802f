module github.com/gowsgi/gowsgi

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	github.com/coder/websocket v1.8.14
	github.com/fatih/color v1.19.0
	github.com/fsnotify/fsnotify v1.10.1
	github.com/go-python/gpython v0.2.0
	github.com/mattn/go-isatty v0.0.20
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sys v0.42.0
)

require github.com/mattn/go-colorable v0.1.14 // indirect
