package fuzzy_test

import (
	"fmt"

	"github.com/parleybot/parley/nlu/fuzzy"
)

func ExampleClosest() {
	services := []string{"apache", "nginx", "postgres"}
	for _, w := range []string{"apche", "ngnix", "db", "redis"} {
		fmt.Println(fuzzy.Closest(w, services))
	}
	// Output:
	// apache true
	// nginx true
	//  false
	//  false
}

func ExampleIndex_Lookup() {
	ix := fuzzy.NewIndex(map[string]int{"restart": 120, "restore": 30, "status": 300})
	fmt.Println(ix.Lookup("restrat"))
	fmt.Println(ix.Lookup("statsu"))
	fmt.Println(ix.Lookup("deploy"))
	// Output:
	// restart 1 true
	// status 1 true
	//  0 false
}
