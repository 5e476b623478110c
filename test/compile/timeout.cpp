// Header self-containment: <taskio/timeout.hpp> compiles alone (no PCH), twice.
#include <taskio/timeout.hpp>
#include <taskio/timeout.hpp>
