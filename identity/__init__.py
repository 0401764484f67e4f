"""Who a person is: sign-in, second factors, single sign-on, sessions and API tokens."""
