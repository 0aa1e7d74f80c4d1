package dev.packbase.domain;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network in CIDR notation ({@code 169.254.0.0/16}, {@code fe80::/10}), or one address. */
public record Cidr(byte[] network, int prefix) {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+(/\\d{1,3})?");

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static Cidr parse(String text) {
        if (!LITERAL.matcher(text).matches()) {
            throw new IllegalArgumentException("not a CIDR block: " + text);
        }
        int slash = text.indexOf('/');
        try {
            // Only literals reach here (the pattern has no letters beyond hex), so no DNS lookup happens.
            byte[] address = InetAddress.getByName(slash < 0 ? text : text.substring(0, slash)).getAddress();
            int prefix = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("prefix out of range: " + text);
            }
            return new Cidr(address, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR block: " + text, e);
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int bits = a.length * 8;
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        return new BigInteger(1, a).and(mask).equals(new BigInteger(1, network).and(mask));
    }
}
