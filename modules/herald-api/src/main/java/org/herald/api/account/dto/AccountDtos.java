package org.herald.api.account.dto;

import java.util.List;
import org.herald.api.common.ApiException;
import org.herald.api.common.Body;
import org.herald.domain.common.Limits;

/** Request and response bodies of accounts, sessions and users. */
public final class AccountDtos {
  private AccountDtos() {}

  public static final int MIN_PASSWORD_LENGTH = 6;
  public static final int MAX_PASSWORD_LENGTH = 1024;

  /** {@code POST /v1/accounts}. */
  public record CreateAccountRequest(
      String username, String phone, String displayName, String password, String deviceName) {

    public static CreateAccountRequest from(Body body) {
      String username = body.optionalString("username");
      String phone = body.optionalString("phone");
      if (username == null && phone == null) {
        throw ApiException.badRequest("username or phone is required");
      }
      if (username != null && !Limits.isValidUsername(username)) {
        throw ApiException.badRequest(
            "username must be 5-32 characters of A-Z, a-z, 0-9 and _, starting with a letter");
      }
      if (phone != null && !Limits.isValidPhone(phone)) {
        throw ApiException.badRequest("phone must be 6-15 digits, optionally after a '+'");
      }
      String displayName = checkDisplayName(body.requiredString("displayName"));
      String password = checkPassword(body.requiredString("password"));
      String deviceName = checkDeviceName(body.requiredString("deviceName"));
      return new CreateAccountRequest(
          username, phone == null ? null : Limits.canonicalPhone(phone), displayName, password, deviceName);
    }
  }

  /** {@code POST /v1/sessions}. */
  public record LoginRequest(String login, String password, String deviceName) {
    public static LoginRequest from(Body body) {
      String login = body.requiredString("login");
      if (login.isBlank() || login.length() > 64) {
        throw ApiException.badRequest("login must be a username or a phone number");
      }
      String password = body.requiredString("password");
      if (password.length() > MAX_PASSWORD_LENGTH) {
        throw ApiException.badRequest("password must be at most " + MAX_PASSWORD_LENGTH + " characters");
      }
      return new LoginRequest(login, password, checkDeviceName(body.requiredString("deviceName")));
    }
  }

  static String checkDisplayName(String value) {
    int length = Limits.codePoints(value);
    if (value.isBlank() || length > Limits.MAX_DISPLAY_NAME_LENGTH) {
      throw ApiException.badRequest(
          "displayName must be 1-" + Limits.MAX_DISPLAY_NAME_LENGTH + " characters, not only spaces");
    }
    return value;
  }

  static String checkPassword(String value) {
    if (value.length() < MIN_PASSWORD_LENGTH || value.length() > MAX_PASSWORD_LENGTH) {
      throw ApiException.badRequest(
          "password must be " + MIN_PASSWORD_LENGTH + "-" + MAX_PASSWORD_LENGTH + " characters");
    }
    return value;
  }

  static String checkDeviceName(String value) {
    if (value.isBlank() || Limits.codePoints(value) > Limits.MAX_DEVICE_NAME_LENGTH) {
      throw ApiException.badRequest(
          "deviceName must be 1-" + Limits.MAX_DEVICE_NAME_LENGTH + " characters, not only spaces");
    }
    return value;
  }

  public record SessionToken(String sessionId, String token) {}

  /** Answer of account creation and login. */
  public record SessionResponse(String userId, SessionToken session) {}

  public record SessionItem(String sessionId, String deviceName, String createdAt, boolean current) {}

  public record SessionsResponse(List<SessionItem> sessions) {}

  public record UserResponse(String userId, String username, String displayName) {}
}
