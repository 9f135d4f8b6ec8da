package content

import (
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"slices"
)

// A listing's bounds are read by walking the whole listing: 5.2 s of an
// incremental export's 12.5 at 100,000 entries in three languages went
// to the listings an edited entry is in, walked again by each new
// process to find the page it is on, and by the pages' render. The
// static mirror keeps the bounds its export knew in its state file
// (SavedBounds) and gives them to the next export's store (AddBounds),
// which uses them while the listing generation they were read at holds
// and no scheduled publication has come, as it uses its own.

// SavedBounds encodes the bounds this store knows of listings read at the
// listing generation given, for AddBounds in a later process.
func (s *Store) SavedBounds(generation int64) []byte {
	s.bounds.mu.Lock()
	m := maps.Clone(s.bounds.m)
	s.bounds.mu.Unlock()
	var out []byte
	for _, key := range slices.Sorted(maps.Keys(m)) {
		b := m[key]
		if b.generation != generation {
			continue
		}
		out = binary.AppendUvarint(out, uint64(len(key)))
		out = append(out, key...)
		out = binary.AppendVarint(out, b.generation)
		out = binary.AppendVarint(out, b.expires)
		out = binary.AppendVarint(out, int64(b.total))
		out = binary.AppendUvarint(out, uint64(len(b.lastKeys)))
		for _, k := range b.lastKeys {
			out = binary.AppendVarint(out, k.publishAt)
			out = binary.AppendVarint(out, k.entryID)
		}
	}
	return out
}

var errSavedBounds = errors.New("content: saved listing bounds cut short")

// AddBounds adds the bounds SavedBounds encoded to those this store knows,
// leaving the listings it read itself as they are. Bounds it cannot read
// are none: the listings are then walked as without them.
func (s *Store) AddBounds(data []byte) error {
	type saved struct {
		key string
		b   *bounds
	}
	var all []saved
	uvarint := func() (uint64, error) {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			return 0, errSavedBounds
		}
		data = data[n:]
		return v, nil
	}
	varint := func() (int64, error) {
		v, n := binary.Varint(data)
		if n <= 0 {
			return 0, errSavedBounds
		}
		data = data[n:]
		return v, nil
	}
	for len(data) > 0 {
		n, err := uvarint()
		if err != nil || n > uint64(len(data)) {
			return errSavedBounds
		}
		key := string(data[:n])
		data = data[n:]
		// Another process's change count means nothing here: the listing
		// generation decides (listingBounds).
		b := &bounds{changes: math.MinInt64}
		if b.generation, err = varint(); err != nil {
			return err
		}
		if b.expires, err = varint(); err != nil {
			return err
		}
		total, err := varint()
		if err != nil {
			return err
		}
		count, err := uvarint()
		if err != nil || count > uint64(len(data)) || total < 0 || total > math.MaxInt32 {
			return errSavedBounds
		}
		b.total = int(total)
		b.lastKeys = make([]pageKey, count)
		for i := range b.lastKeys {
			if b.lastKeys[i].publishAt, err = varint(); err != nil {
				return err
			}
			if b.lastKeys[i].entryID, err = varint(); err != nil {
				return err
			}
		}
		all = append(all, saved{key, b})
	}
	s.bounds.mu.Lock()
	defer s.bounds.mu.Unlock()
	if s.bounds.m == nil {
		s.bounds.m = map[string]*bounds{}
	}
	for _, sv := range all {
		if len(s.bounds.m) >= maxListings {
			break
		}
		if _, ok := s.bounds.m[sv.key]; !ok {
			s.bounds.m[sv.key] = sv.b
		}
	}
	return nil
}
