// Catch2 runner inside sc_main: libsystemc.so defines main() and calls sc_main, so the test binary's entry
// point must be sc_main. ctest runs each TEST_CASE in its own process (one SystemC elaboration per process).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
