// Command ref-oracle is the reference implementation that @scangate/image-ref is tested against:
// github.com/distribution/reference v0.6.0, the parser Docker, containerd and Kubernetes use.
//
// It reads references (one per line from stdin, or the arguments) and prints one JSON object per
// reference, exactly as `scangate ref parse` does:
//
//	{"input":…,"name":…,"domain":…,"path":…,"tag":…,"digest":…,"familiar":…,"canonical":…}
//	{"input":…,"error":…}
//
// Flags:
//
//	--mode normalized  reference.ParseNormalizedNamed (default)
//	--mode named       reference.ParseNamed (also rejects names that are not fully qualified)
//	--json-lines       every stdin line is a JSON string, so inputs may hold any character
//	--bench N          parse the stdin set N times and print {"parsesPerSecond": X}
//
// Built by test/peers/build-ref-oracle.sh; never committed as a binary.
package main

import (
	"bufio"
	// go-digest only accepts algorithms whose hash is linked in; every real client links these.
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/distribution/reference"
)

type parsed struct {
	Input     string `json:"input"`
	Name      string `json:"name"`
	Domain    string `json:"domain"`
	Path      string `json:"path"`
	Tag       string `json:"tag,omitempty"`
	Digest    string `json:"digest,omitempty"`
	Familiar  string `json:"familiar"`
	Canonical string `json:"canonical"`
}

type failed struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

type parseFunc func(string) (reference.Named, error)

func describe(parse parseFunc, input string) any {
	named, err := parse(input)
	if err != nil {
		return failed{Input: input, Error: err.Error()}
	}
	out := parsed{
		Input:     input,
		Name:      named.Name(),
		Domain:    reference.Domain(named),
		Path:      reference.Path(named),
		Familiar:  reference.FamiliarString(named),
		Canonical: reference.TagNameOnly(named).String(),
	}
	if tagged, ok := named.(reference.Tagged); ok {
		out.Tag = tagged.Tag()
	}
	if digested, ok := named.(reference.Digested); ok {
		out.Digest = digested.Digest().String()
	}
	return out
}

func readInputs(jsonLines bool) ([]string, error) {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 0, 1<<16), 64<<20)
	var inputs []string
	for scanner.Scan() {
		line := scanner.Text()
		if !jsonLines {
			inputs = append(inputs, line)
			continue
		}
		if line == "" {
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			return nil, fmt.Errorf("line %d is not a JSON string: %w", len(inputs)+1, err)
		}
		inputs = append(inputs, s)
	}
	return inputs, scanner.Err()
}

// sink keeps the benchmark's results alive so the compiler cannot drop the work.
var sink int

// bench does what scangate's parser does per reference: parse, then derive the familiar and
// canonical strings (errors are rendered, as describeReference renders them).
func bench(parse parseFunc, inputs []string, rounds int) float64 {
	start := time.Now()
	for r := 0; r < rounds; r++ {
		for _, input := range inputs {
			named, err := parse(input)
			if err != nil {
				sink += len(err.Error())
				continue
			}
			sink += len(reference.FamiliarString(named)) + len(reference.TagNameOnly(named).String())
		}
	}
	elapsed := time.Since(start).Seconds()
	return float64(rounds*len(inputs)) / elapsed
}

func main() {
	mode := flag.String("mode", "normalized", "normalized (ParseNormalizedNamed) or named (ParseNamed)")
	jsonLines := flag.Bool("json-lines", false, "stdin lines are JSON strings")
	rounds := flag.Int("bench", 0, "parse the stdin set this many times and print the rate")
	flag.Parse()

	var parse parseFunc
	switch *mode {
	case "normalized":
		parse = reference.ParseNormalizedNamed
	case "named":
		parse = reference.ParseNamed
	default:
		fmt.Fprintf(os.Stderr, "unknown --mode %q\n", *mode)
		os.Exit(2)
	}

	inputs := flag.Args()
	if len(inputs) == 0 {
		var err error
		if inputs, err = readInputs(*jsonLines); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}

	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)

	if *rounds > 0 {
		if len(inputs) == 0 {
			fmt.Fprintln(os.Stderr, "--bench needs inputs")
			os.Exit(2)
		}
		_ = enc.Encode(map[string]float64{"parsesPerSecond": bench(parse, inputs, *rounds)})
		return
	}
	for _, input := range inputs {
		if err := enc.Encode(describe(parse, input)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
