package main

import "regexp"

func regexpMatch(s, pattern string) bool { return regexp.MustCompile(pattern).MatchString(s) }
