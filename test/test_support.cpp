//
// test/test_support.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The compiled part of test_support.hpp: the in-memory Boost.Log sink every
// test reads through captured_logs() / logged(), installed once for the whole
// test program by a global fixture.

#include "test_support.hpp"

#include <boost/log/attributes/value_extraction.hpp>
#include <boost/log/core.hpp>
#include <boost/log/sinks/basic_sink_backend.hpp>
#include <boost/log/sinks/sync_frontend.hpp>

namespace taskio_test {
namespace {

std::mutex log_mutex;
std::vector<log_record> log_records;

struct capture_backend : boost::log::sinks::basic_sink_backend<boost::log::sinks::concurrent_feeding> {
  void consume(const boost::log::record_view& rec) {
    log_record r{};
    if (auto s = boost::log::extract<boost::log::trivial::severity_level>("Severity", rec)) r.severity = *s;
    if (auto c = boost::log::extract<std::string>("Channel", rec)) r.channel = *c;
    if (auto t = boost::log::extract<std::string>("Task", rec)) r.task = *t;
    if (auto m = boost::log::extract<std::string>("Message", rec)) r.message = *m;
    std::lock_guard lock(log_mutex);
    log_records.push_back(std::move(r));
  }
};

/// Installs the in-memory sink for the whole test program (it also keeps
/// Boost.Log's default console sink quiet).
struct log_capture_fixture {
  log_capture_fixture() {
    boost::log::core::get()->add_sink(
        boost::make_shared<boost::log::sinks::synchronous_sink<capture_backend>>());
  }
};
BOOST_TEST_GLOBAL_FIXTURE(log_capture_fixture);

}  // namespace

std::vector<log_record> captured_logs() {
  std::lock_guard lock(log_mutex);
  return log_records;
}
void clear_logs() {
  std::lock_guard lock(log_mutex);
  log_records.clear();
}
bool logged(const std::string& text) {
  std::lock_guard lock(log_mutex);
  for (const auto& r : log_records)
    if (r.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace taskio_test
