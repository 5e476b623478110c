//
// lib/asio_compat.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The one function of detail/asio_compat.hpp that is not inline:
// concurrency_hint(). On Asio 1.34 it reads a private member of Asio's
// configuration service through an explicit template instantiation (the only
// way to name a private member without touching Asio); an explicit
// instantiation in a header would be one definition per translation unit
// that includes it (ill-formed, no diagnostic required), so it lives here.

#include <taskio/detail/asio_compat.hpp>

#if BOOST_ASIO_VERSION >= 103400
#include <boost/asio/config.hpp>
#endif

#include <cstdlib>

namespace taskio::detail::asio_compat {

#if BOOST_ASIO_VERSION >= 103400 && BOOST_ASIO_VERSION < 103600
// Asio 1.34: config::get() answers 0 for every integer (see the top of
// detail/asio_compat.hpp). The configuration service's own get_value()
// (public, virtual) writes the hint into a buffer of ours, but it writes "1"
// for every special hint, BOOST_ASIO_CONCURRENCY_HINT_SAFE included (a fully
// locking io_context that several threads may run). So the service
// io_context(int) installs, detail::config_from_concurrency_hint_service
// (defined in impl/config.ipp, hence complete in header-only builds, Asio's
// default), is read directly: its private concurrency_hint_ is the hint as
// given (1.34.0 checked), named through an explicit instantiation (which may
// name private members).
#if defined(BOOST_ASIO_HEADER_ONLY)
#define TASKIO_ASIO_READS_RAW_HINT 1
namespace {
using hint_service = boost::asio::detail::config_from_concurrency_hint_service;
/// The hint a hint service holds (defined by the instantiation below).
int raw_hint(const hint_service& s) noexcept;
template <int hint_service::*Member>
struct raw_hint_access {
  friend int raw_hint(const hint_service& s) noexcept { return s.*Member; }
};
template struct raw_hint_access<&hint_service::concurrency_hint_>;
}  // namespace
#else
#define TASKIO_ASIO_READS_RAW_HINT 0
#endif

namespace {
/// concurrency_hint() on Asio 1.34.
int concurrency_hint_1_34(boost::asio::execution_context& ctx) {
  const auto& service = boost::asio::use_service<boost::asio::config_service>(ctx);
#if TASKIO_ASIO_READS_RAW_HINT
  if (const auto* s = dynamic_cast<const hint_service*>(&service)) return raw_hint(*s);
#endif
  char buffer[32];
  const char* value = service.get_value("scheduler", "concurrency_hint", buffer, sizeof buffer);
  return value ? std::atoi(value) : 0;
}
}  // namespace
#endif

int concurrency_hint(boost::asio::execution_context& ctx) {
#if BOOST_ASIO_VERSION >= 103600
  return boost::asio::config(ctx).get("scheduler", "concurrency_hint", 0);
#elif BOOST_ASIO_VERSION >= 103400
  return concurrency_hint_1_34(ctx);
#else
  return boost::asio::use_service<scheduler>(ctx).concurrency_hint();
#endif
}

}  // namespace taskio::detail::asio_compat
