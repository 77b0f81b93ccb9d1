// Owner passwords refused however long they are: blank, one repeated character, or among the passwords attackers
// try first. The list holds the most common leaked passwords of 10+ characters (the minimum length), lower-cased.
const COMMON = new Set([
  "1234567890", "0123456789", "12345678910", "1234567891", "0987654321", "9876543210", "123456789a", "a123456789",
  "qwertyuiop", "qwertyuiop1", "1q2w3e4r5t", "1qaz2wsx3edc", "qwerty1234", "qwerty12345", "asdfghjkl1", "zxcvbnm123",
  "password12", "password123", "password1234", "passw0rd123", "iloveyou12", "iloveyou123", "abcdefghij", "abc1234567",
  "1234qwerty", "welcome123", "football12", "baseball12", "sunshine12", "princess12", "administrator", "letmein123",
  "changeme123", "myoffpeak1", "offpeak123", "offpeakhub", "chargemycar", "electriccar",
]);

/** Why `pw` is refused, or null when it is acceptable. */
export function weakPasswordReason(pw: string): string | null {
  if (pw.trim() === "") return "is only whitespace";
  const chars = [...pw];
  if (chars.every((ch) => ch === chars[0])) return "repeats one character";
  if (COMMON.has(pw.toLowerCase())) return "is one of the most common passwords";
  return null;
}
