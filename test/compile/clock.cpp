// Header self-containment: <taskio/clock.hpp> compiles alone (no PCH), twice.
#include <taskio/clock.hpp>
#include <taskio/clock.hpp>
