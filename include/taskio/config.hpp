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

// The kernel launches tasks through Asio's awaitable_thread (see
// detail/task_state.hpp). That interface is stable across the 1.2x series
// that Boost 1.81..1.83 ship; newer Asio versions are checked in CI first.
#if BOOST_ASIO_VERSION < 102600
#error "taskio needs Boost.Asio 1.26 (Boost 1.81) or newer"
#endif

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
