"""Navigation: every screen has a route; back leads where the user came from."""

import pytest

from screens import routes


@pytest.mark.parametrize(
    "route, name, params",
    [
        ("/", "home", {}),
        ("/acuut", "acute", {}),
        ("/stappen", "steps", {}),
        ("/stap/3", "step", {"number": 3}),
        ("/stap/3/", "step", {"number": 3}),
        ("/stap/3/strafbare-feiten", "step_action", {"number": 3, "action_id": "strafbare-feiten"}),
        ("/organisaties", "organisations", {}),
        ("/hulplijnen", "helplines", {}),
        ("/over?x=1", "about", {}),
    ],
)
def test_every_screen_has_a_route(route, name, params):
    found = routes.match(route)
    assert found is not None and found.name == name and found.params == params


@pytest.mark.parametrize("route", ["/stap/0", "/stap/8", "/stap/x", "/onbekend", "/stap"])
def test_unknown_routes_do_not_match(route):
    assert routes.match(route) is None


def test_deep_link_to_a_step_builds_a_stack_back_to_home():
    assert routes.chain("/stap/3") == ["/", "/stappen", "/stap/3"]
    assert routes.next_stack([], "/stap/3") == ["/", "/stappen", "/stap/3"]


def test_back_from_step_two_returns_to_the_acute_flow_when_that_is_where_the_user_came_from():
    stack = routes.next_stack([], "/")
    stack = routes.next_stack(stack, "/acuut")
    stack = routes.next_stack(stack, "/stap/2")
    assert stack == ["/", "/acuut", "/stap/2"]
    # the browser's back button reports the previous route
    assert routes.next_stack(stack, "/acuut") == ["/", "/acuut"]


def test_going_home_pops_everything():
    assert routes.next_stack(["/", "/acuut", "/stap/2", "/stap/3"], "/") == ["/"]


def test_an_unknown_route_leads_home():
    assert routes.next_stack(["/", "/acuut"], "/bestaat-niet") == ["/"]


def test_route_builders_match_their_patterns():
    assert routes.match(routes.step(4)).params == {"number": 4}
    assert routes.match(routes.step(3, "strafbare-feiten")).name == "step_action"
