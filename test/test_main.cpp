// The one translation unit that defines the Boost.Test module (and main).
// Every test file includes <boost/test/unit_test.hpp> without this define.
#define BOOST_TEST_MODULE taskio
#include <boost/test/unit_test.hpp>
