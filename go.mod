module github.com/parleybot/parley

go 1.26.8

require (
	github.com/alicebob/miniredis/v2 v2.40.0
	github.com/jdkato/prose/v2 v2.0.0
	github.com/looplab/fsm v1.0.3
	github.com/redis/go-redis/v9 v9.23.0
	golang.org/x/term v0.48.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/deckarep/golang-set v1.7.1 // indirect
	github.com/mingrammer/commonregex v1.0.1 // indirect
	github.com/yuin/gopher-lua v1.1.1 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	gonum.org/v1/gonum v0.7.0 // indirect
	gopkg.in/neurosnap/sentences.v1 v1.0.6 // indirect
)
