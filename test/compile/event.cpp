// Header self-containment: <taskio/event.hpp> compiles alone (no PCH), twice.
#include <taskio/event.hpp>
#include <taskio/event.hpp>
