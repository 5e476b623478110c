// Unit tests of <taskio/exceptions.hpp>.
#include <taskio/exceptions.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <type_traits>

using namespace taskio_test;

static_assert(!std::is_base_of_v<std::exception, taskio::cancelled_error>);
static_assert(!std::is_base_of_v<std::exception, taskio::keyboard_interrupt>);
static_assert(!std::is_base_of_v<std::exception, taskio::system_exit>);
static_assert(std::is_base_of_v<std::runtime_error, taskio::timeout_error>);
static_assert(std::is_base_of_v<std::logic_error, taskio::invalid_state_error>);

BOOST_AUTO_TEST_SUITE(exceptions)

BOOST_AUTO_TEST_CASE(catch_std_exception_does_not_swallow_cancellation) {
  bool caught_as_std = false, caught_as_cancel = false;
  try {
    try {
      throw taskio::cancelled_error("m");
    } catch (const std::exception&) {
      caught_as_std = true;
    }
  } catch (const taskio::cancelled_error& e) {
    caught_as_cancel = true;
    BOOST_TEST(e.message() == "m");
  }
  BOOST_TEST(!caught_as_std);
  BOOST_TEST(caught_as_cancel);
}

BOOST_AUTO_TEST_CASE(messages_and_what) {
  BOOST_TEST(std::string(taskio::cancelled_error().what()) == "cancelled");
  BOOST_TEST(taskio::cancelled_error().message().empty());
  BOOST_TEST(std::string(taskio::cancelled_error("bye").what()) == "cancelled: bye");
  BOOST_TEST(taskio::system_exit(3).code() == 3);
  BOOST_TEST(taskio::describe_exception(std::make_exception_ptr(taskio::keyboard_interrupt())) ==
             "keyboard interrupt");
  BOOST_TEST(taskio::describe_exception(std::make_exception_ptr(42)) == "unknown exception");
}

BOOST_AUTO_TEST_CASE(is_cancellation_and_is_fatal) {
  BOOST_TEST(taskio::is_cancellation(std::make_exception_ptr(taskio::cancelled_error())));
  BOOST_TEST(!taskio::is_cancellation(std::make_exception_ptr(std::runtime_error("x"))));
  BOOST_TEST(!taskio::is_cancellation(nullptr));
  // operation_aborted outside a task that a cancel aborted: not a cancellation
  BOOST_TEST(!taskio::is_cancellation(
      std::make_exception_ptr(boost::system::system_error(asio::error::operation_aborted))));
  BOOST_TEST(taskio::is_fatal(std::make_exception_ptr(taskio::system_exit())));
  BOOST_TEST(taskio::is_fatal(std::make_exception_ptr(taskio::keyboard_interrupt())));
  BOOST_TEST(!taskio::is_fatal(std::make_exception_ptr(taskio::cancelled_error())));
}

BOOST_AUTO_TEST_SUITE_END()
