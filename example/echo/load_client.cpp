//
// example/echo/load_client.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "echo/load_client.hpp"

#include "echo/log.hpp"

#include <taskio/async_with.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/loop_callbacks.hpp>
#include <taskio/task_group.hpp>
#include <taskio/use_task.hpp>
#include <taskio/wait_for.hpp>

#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstring>
#include <ios>
#include <string>

namespace echo {

double load_report::latency_us(double q) const {
  if (latencies.empty()) return 0.0;
  std::vector<taskio::clock::duration> v = latencies;
  const auto rank =
      std::clamp<std::size_t>(static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999999), 1, v.size());
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank - 1), v.end());
  return std::chrono::duration<double, std::micro>(v[rank - 1]).count();
}

std::ostream& operator<<(std::ostream& os, const load_report& r) {
  const auto old = os.flags();
  os.setf(std::ios::fixed);
  os.precision(1);
  os << r.requests << " requests in " << r.seconds() << " s (" << r.connections << " connections, "
     << r.message_size << "-byte messages): " << r.requests_per_second() << " requests/s, ";
  os.precision(2);
  os << r.megabytes_per_second() << " MB/s\n";
  os.precision(1);
  os << "latency p50 " << r.latency_us(0.5) << " us, p99 " << r.latency_us(0.99) << " us, p99.9 "
     << r.latency_us(0.999) << " us\n"
     << "errors " << r.errors << ", mismatches " << r.mismatches << "\n";
  os.flags(old);
  return os;
}

asio::awaitable<void> exchange(tcp::socket& socket, std::span<const char> out, std::span<char> in) {
  co_await asio::async_write(socket, asio::buffer(out.data(), out.size()), taskio::use_task);
  co_await asio::async_read(socket, asio::buffer(in.data(), in.size()), taskio::use_task);
}

namespace {

/// One client connection of run_load: message, whole echo, check, repeat.
asio::awaitable<void> load_connection(tcp::socket& socket, std::size_t id, const load_options& opts,
                                      load_report& report) {
  std::vector<char> message(opts.message_size), echoed(opts.message_size);
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>(i * 131 + id * 7);
  const taskio::clock::time_point until = report.start + opts.duration;
  try {
    for (std::uint64_t n = 0; opts.requests ? n < *opts.requests : taskio::loop_time() < until; ++n) {
      std::memcpy(message.data(), &n, std::min(sizeof n, message.size()));  // every message differs
      const taskio::clock::time_point sent = taskio::loop_time();
      co_await taskio::wait_for(exchange(socket, message, echoed), opts.request_timeout);
      report.last = taskio::loop_time();
      report.latencies.push_back(report.last - sent);
      report.requests += 1;
      if (message != echoed) report.mismatches += 1;
    }
  } catch (const taskio::timeout_error&) {
    report.errors += 1;
    ECHO_LOG(warning) << "connection " << id << ": no echo within the request timeout";
  } catch (const boost::system::system_error& e) {
    if (taskio::is_cancellation(std::current_exception())) throw;  // an aborted Asio operation
    report.errors += 1;
    ECHO_LOG(warning) << "connection " << id << ": "
                      << (e.code() == asio::error::eof ? "closed by the server" : e.code().message());
  }
}

}  // namespace

asio::awaitable<void> run_load(tcp::endpoint server, const load_options& opts, load_report& report) {
  std::vector<tcp::socket> sockets;
  for (std::size_t i = 0; i < opts.connections; ++i) {
    tcp::socket& s = sockets.emplace_back(co_await asio::this_coro::executor);
    co_await taskio::wait_for(s.async_connect(server, taskio::use_task), opts.request_timeout);
    s.set_option(tcp::no_delay(true));
  }
  report.connections = opts.connections;
  report.message_size = opts.message_size;
  report.start = report.last = taskio::loop_time();
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    for (std::size_t i = 0; i < sockets.size(); ++i)
      group.create_task(load_connection(sockets[i], i, opts, report), "client-" + std::to_string(i));
    co_return;
  });
}

}  // namespace echo
