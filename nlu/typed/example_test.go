package typed_test

import (
	"fmt"

	"github.com/parleybot/parley/nlu/typed"
)

func ExampleScan() {
	for _, m := range typed.Scan("snooze INC-42 on Web-1 for half an hour, see https://status.example.com/x.") {
		fmt.Printf("%s %q %s [%d,%d)\n", m.Kind, m.Text, m.Value, m.Start, m.End)
	}
	// Output:
	// incident "INC-42" 42 [7,13)
	// hostname "Web-1" web-1 [17,22)
	// duration "half an hour" 30m0s [27,39)
	// url "https://status.example.com/x" https://status.example.com/x [45,73)
}

func ExampleParseHost() {
	for _, s := range []string{"DB01.prod.internal.", "2001:DB8::1", "web-1; reboot", "-oProxyCommand=x"} {
		h, err := typed.ParseHost(s)
		fmt.Printf("%q: %q %v\n", s, h, err)
	}
	// Output:
	// "DB01.prod.internal.": "db01.prod.internal" <nil>
	// "2001:DB8::1": "2001:db8::1" <nil>
	// "web-1; reboot": "" that is not a valid IP address or hostname
	// "-oProxyCommand=x": "" that is not a valid IP address or hostname
}

func ExampleParseDuration() {
	for _, s := range []string{"1h30m", "an hour and a half", "3 days", "400 days"} {
		d, err := typed.ParseDuration(s)
		fmt.Println(d, err)
	}
	// Output:
	// 1h30m0s <nil>
	// 1h30m0s <nil>
	// 72h0m0s <nil>
	// 0s a duration can be at most 366 days
}
