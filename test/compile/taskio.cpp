// Header self-containment: the umbrella <taskio.hpp> compiles alone (no PCH), twice.
#include <taskio.hpp>
#include <taskio.hpp>

// A program that does not configure logging compiles no Boost.Log: the
// umbrella (every public header but <taskio/log.hpp>, test/CMakeLists.txt
// checks) includes no Boost.Log header. Every Boost.Log header includes
// <boost/log/detail/config.hpp>, whose include guard this is.
#ifdef BOOST_LOG_DETAIL_CONFIG_HPP_INCLUDED_
#error "<taskio.hpp> includes a Boost.Log header: only <taskio/log.hpp> may (use lib/log_record.hpp in lib/)"
#endif
