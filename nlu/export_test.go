package nlu

// Kth exposes kth to the external tests.
var Kth = kth
