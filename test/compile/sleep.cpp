// Header self-containment: <taskio/sleep.hpp> compiles alone (no PCH), twice.
#include <taskio/sleep.hpp>
#include <taskio/sleep.hpp>
