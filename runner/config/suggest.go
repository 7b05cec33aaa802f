package config

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Suggest returns the candidate that word was most likely meant to be, or ""
// when none is close enough to be worth a "did you mean". Words are compared
// case-insensitively by Damerau-Levenshtein distance (optimal string
// alignment: insertions, deletions, substitutions and swaps of neighbours);
// the distance allowed grows with the word, up to 2 (one edit for words of up
// to five letters). Failing that, a word of three or more letters that
// starts a candidate ("cache" for "cache_timeout"), or a candidate that
// starts the word, is a match; the shortest such candidate wins. Last, a
// word of two or more parts joined by "_" or "-" matches a candidate holding
// every part ("enable_listing" for "enable_directory_listing"). Among
// equally close candidates the earliest in the list wins.
func Suggest(word string, candidates []string) string {
	w := strings.ToLower(word)
	if w == "" {
		return ""
	}
	limit := min(2, max(1, utf8.RuneCountInString(w)/3))
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := editDistance(w, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return best
	}
	if utf8.RuneCountInString(w) < 3 {
		return ""
	}
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if (strings.HasPrefix(lc, w) || (utf8.RuneCountInString(lc) >= 3 && strings.HasPrefix(w, lc))) &&
			(best == "" || len(c) < len(best)) {
			best = c
		}
	}
	if best != "" {
		return best
	}
	parts := splitWords(w)
	if len(parts) < 2 {
		return ""
	}
	for _, c := range candidates {
		have := splitWords(strings.ToLower(c))
		all := true
		for _, p := range parts {
			all = all && slices.Contains(have, p)
		}
		if all && (best == "" || len(c) < len(best)) {
			best = c
		}
	}
	return best
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '-' })
}

// editDistance is the optimal string alignment distance between a and b,
// counted in runes.
func editDistance(a, b string) int {
	s, t := []rune(a), []rune(b)
	// Three rows: two back (for swaps), the previous one and the current one.
	prev2 := make([]int, len(t)+1)
	prev := make([]int, len(t)+1)
	cur := make([]int, len(t)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(s); i++ {
		cur[0] = i
		for j := 1; j <= len(t); j++ {
			cost := 1
			if s[i-1] == t[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && s[i-1] == t[j-2] && s[i-2] == t[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(t)]
}
