// Unit tests of <taskio/outcome.hpp>.
#include <taskio/outcome.hpp>  // first: the header is self-contained

#include <boost/test/unit_test.hpp>

#include <memory>
#include <stdexcept>
#include <utility>

BOOST_AUTO_TEST_SUITE(outcome)

BOOST_AUTO_TEST_CASE(outcome_holds_a_value_or_an_exception) {
  auto ok = taskio::outcome<int>::success(3);
  BOOST_TEST(ok.has_value());
  BOOST_TEST(ok.value() == 3);
  BOOST_TEST(std::move(ok).value() == 3);
  auto bad = taskio::outcome<int>::failure(std::make_exception_ptr(std::logic_error("x")));
  BOOST_TEST(!bad.has_value());
  BOOST_CHECK_THROW(bad.value(), std::logic_error);
  BOOST_CHECK_THROW(taskio::outcome<int>::failure(nullptr), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(outcome_holds_move_only_values) {
  auto ok = taskio::outcome<std::unique_ptr<int>>::success(std::make_unique<int>(7));
  BOOST_TEST(static_cast<bool>(ok));
  std::unique_ptr<int> p = std::move(ok).value();
  BOOST_TEST(*p == 7);
  auto bad = taskio::outcome<std::unique_ptr<int>>::failure(std::make_exception_ptr(std::runtime_error("y")));
  BOOST_TEST(!static_cast<bool>(bad));
  BOOST_TEST(static_cast<bool>(bad.exception()));
  BOOST_TEST(!ok.exception());
}

BOOST_AUTO_TEST_SUITE_END()
