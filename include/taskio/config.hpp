//
// taskio/config.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Version macros, the export macro and the toolchain checks every taskio
// header relies on.

#ifndef TASKIO_CONFIG_HPP
#define TASKIO_CONFIG_HPP

#include <boost/asio/version.hpp>
#include <boost/config.hpp>

#define TASKIO_VERSION_MAJOR 0
#define TASKIO_VERSION_MINOR 1
#define TASKIO_VERSION_PATCH 0
#define TASKIO_VERSION 100  // major * 100000 + minor * 100 + patch

#if !defined(__cpp_impl_coroutine)
#error "taskio needs C++20 coroutines (g++ >= 10 with -std=c++20)"
#endif

// The kernel uses a few Asio internals (awaitable_thread, the io_context's
// scheduler), all through detail/asio_compat.hpp, which adapts to the
// changes up to Asio 1.38. This check only rejects Asio older than 1.26
// (Boost 1.81), which taskio was never built against. It does not check
// the upper end: Asio newer than TASKIO_ASIO_TESTED_VERSION is accepted
// untested. .ci/asio-versions runs the tests against 1.26, 1.28.2, 1.34.0,
// 1.36.0 and 1.38.0; CI runs the newest (README "Requirements").
#if BOOST_ASIO_VERSION < 102600
#error "taskio needs Boost.Asio 1.26 (Boost 1.81) or newer"
#endif
/// The newest Boost.Asio version taskio was tested against (1.38.0).
#define TASKIO_ASIO_TESTED_VERSION 103800

#if defined(TASKIO_DYN_LINK)
#if defined(TASKIO_SOURCE)
#define TASKIO_DECL BOOST_SYMBOL_EXPORT
#else
#define TASKIO_DECL BOOST_SYMBOL_IMPORT
#endif
#else
#define TASKIO_DECL
#endif

namespace boost::asio {}

namespace taskio {
/// The Asio namespace, as the documentation spells it.
namespace asio = boost::asio;
}  // namespace taskio

#endif  // TASKIO_CONFIG_HPP
