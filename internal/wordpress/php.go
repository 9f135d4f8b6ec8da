package wordpress

import (
	"errors"
	"strconv"
	"strings"
)

// phpPairs reads the flat key → value pairs of a PHP serialized array,
// the form in which Polylang keeps a translation group in a term's
// description: a:2:{s:2:"en";i:398;s:2:"fr";i:400;}. Nested arrays (its
// "sync" setting) are skipped. It is written for that form alone, never
// runs PHP's unserialize, and refuses anything it does not follow.
func phpPairs(s string) ([][2]string, error) {
	p := &phpReader{s: strings.TrimSpace(s)}
	var out [][2]string
	n, err := p.arrayHead()
	if err != nil {
		return nil, err
	}
	for range n {
		k, nested, err := p.value()
		if err != nil {
			return nil, err
		}
		if nested {
			return nil, errors.New("php: an array as a key")
		}
		v, nested, err := p.value()
		if err != nil {
			return nil, err
		}
		if !nested {
			out = append(out, [2]string{k, v})
		}
	}
	if !p.eat("}") {
		return nil, errors.New("php: no } at the end of the array")
	}
	return out, nil
}

type phpReader struct {
	s string
	i int
}

func (p *phpReader) eat(lit string) bool {
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// upto reads up to sep and past it.
func (p *phpReader) upto(sep byte) (string, error) {
	j := strings.IndexByte(p.s[p.i:], sep)
	if j < 0 {
		return "", errors.New("php: unterminated value")
	}
	v := p.s[p.i : p.i+j]
	p.i += j + 1
	return v, nil
}

func (p *phpReader) arrayHead() (int, error) {
	if !p.eat("a:") {
		return 0, errors.New("php: not an array")
	}
	ns, err := p.upto(':')
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 0 || n > 10_000 {
		return 0, errors.New("php: bad array length")
	}
	if !p.eat("{") {
		return 0, errors.New("php: no { after the array length")
	}
	return n, nil
}

// value reads one value: a string, a number, a boolean or null; nested is
// true for an array, which it skips.
func (p *phpReader) value() (v string, nested bool, err error) {
	switch {
	case p.eat("s:"):
		ls, err := p.upto(':')
		if err != nil {
			return "", false, err
		}
		n, err := strconv.Atoi(ls)
		if err != nil || n < 0 || p.i+n+3 > len(p.s) || p.s[p.i] != '"' {
			return "", false, errors.New("php: bad string")
		}
		v = p.s[p.i+1 : p.i+1+n]
		p.i += n + 1
		if !p.eat(`";`) {
			return "", false, errors.New("php: bad string end")
		}
		return v, false, nil
	case p.eat("i:"), p.eat("d:"), p.eat("b:"):
		v, err := p.upto(';')
		return v, false, err
	case p.eat("N;"):
		return "", false, nil
	case strings.HasPrefix(p.s[p.i:], "a:"):
		n, err := p.arrayHead()
		if err != nil {
			return "", false, err
		}
		for range 2 * n {
			if _, _, err := p.value(); err != nil {
				return "", false, err
			}
		}
		if !p.eat("}") {
			return "", false, errors.New("php: no } at the end of an array")
		}
		return "", true, nil
	}
	return "", false, errors.New("php: unknown value")
}
