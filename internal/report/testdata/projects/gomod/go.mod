module example.com/fixture

go 1.24

require golang.org/x/text v0.3.7
