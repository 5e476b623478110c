// Precompiled header for the test executable: the library's PCH plus Boost.Test.
#ifndef TASKIO_CMAKE_TEST_PCH_HPP
#define TASKIO_CMAKE_TEST_PCH_HPP

#include "taskio_pch.hpp"

#include <boost/test/unit_test.hpp>
#include <boost/test/data/test_case.hpp>

#endif
