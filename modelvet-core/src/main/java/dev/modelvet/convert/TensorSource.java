package dev.modelvet.convert;

import dev.modelvet.scan.ByteSource;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One tensor to write: its safetensors dtype, shape, and how to read its elements from a storage
 * (offset and strides in elements), so views and non-contiguous layouts are copied element-wise.
 */
record TensorSource(String name, String dtype, int elementSize, long[] shape, ByteSource storage, long offset,
                    long[] stride, String storageKey) {

    long numel() {
        long n = 1;
        for (long s : shape) n = Math.multiplyExact(n, s);
        return n;
    }

    long byteLength() {
        return Math.multiplyExact(numel(), elementSize);
    }

    /** Checks that every element lies inside the storage. */
    void checkBounds() throws ConversionException {
        long n = numel();
        if (n == 0) return;
        long last = offset;
        for (int i = 0; i < shape.length; i++) last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        long storageElements = storage.size() / elementSize;
        if (offset < 0 || last >= storageElements) {
            throw new ConversionException("tensor '" + name + "' reaches element " + last + " of a storage of "
                    + storageElements + " elements");
        }
    }

    boolean contiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Writes the elements in C order. */
    void writeTo(OutputStream out) throws IOException {
        long n = numel();
        if (n == 0) return;
        byte[] buf = new byte[1 << 20];
        if (contiguous()) {
            copy(offset * elementSize, n * elementSize, out, buf);
            return;
        }
        int dims = shape.length;
        long[] index = new long[dims];
        long innerLen = shape[dims - 1];
        long innerStride = stride[dims - 1];
        while (true) {
            long base = offset;
            for (int i = 0; i < dims - 1; i++) base += index[i] * stride[i];
            if (innerStride == 1) {
                copy(base * elementSize, innerLen * elementSize, out, buf);
            } else {
                for (long j = 0; j < innerLen; j++) copy((base + j * innerStride) * elementSize, elementSize, out, buf);
            }
            int d = dims - 2;
            while (d >= 0) {
                if (++index[d] < shape[d]) break;
                index[d] = 0;
                d--;
            }
            if (d < 0) return;
        }
    }

    private void copy(long from, long len, OutputStream out, byte[] buf) throws IOException {
        long done = 0;
        while (done < len) {
            int n = (int) Math.min(buf.length, len - done);
            storage.readFully(from + done, buf, 0, n);
            out.write(buf, 0, n);
            done += n;
        }
    }
}
