// Package redistest connects tests to the real Redis server that Parley's
// integration tests run against, at 127.0.0.1:6379, database 9.
//
// Client hands each test its own key prefix and deletes that prefix's keys
// when the test ends, so tests of several packages can share the server.
// When the server cannot be reached the test is skipped with a message that
// says so, unless the environment variable REQUIRE_REDIS is 1, as in CI,
// where the test fails instead.
//
// Only tests may import this package.
package redistest
